package dev.motflow.retraining.trigger;

/**
 * Starts a retraining execution of the state machine. Production: {@link SfnExecutionStarter}
 * (Step Functions StartExecution); tests run the real ASL through the local interpreter instead.
 */
public interface ExecutionStarter {
    enum Started { STARTED, ALREADY_EXISTS }

    /**
     * Starts execution {@code name} with {@code inputJson}. An execution of that name that already
     * exists (running or finished) is {@link Started#ALREADY_EXISTS}, not an error.
     *
     * @throws dev.motflow.retraining.RetryableException when the service is throttling or unavailable
     */
    Started start(String name, String inputJson);
}
