package dev.motflow.retraining.trigger;

/**
 * What the workflow service says about an execution: the lock asks it before taking over from a
 * holder. Production: {@link SfnExecutionStatus} (DescribeExecution); locally the ASL runner's own
 * record of its executions.
 */
public interface ExecutionStatus {
    enum State {
        RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE,
        /** The service has no execution of that name (never started, or a local runner that restarted). */
        NOT_FOUND,
        /** No way to ask (or the answer did not parse): only the lease decides. */
        UNKNOWN;

        /** Whether the execution can still reach its last step and release the lock itself. */
        public boolean mayStillRelease() {
            return this == RUNNING || this == PENDING_REDRIVE || this == UNKNOWN;
        }
    }

    /** For coordinators without a status source: every holder is UNKNOWN, the lease alone decides. */
    ExecutionStatus LEASE_ONLY = new ExecutionStatus() {
        @Override
        public String executionArn(String executionName) {
            return null;
        }

        @Override
        public State state(String executionName) {
            return State.UNKNOWN;
        }
    };

    /** The execution's ARN (recorded in the lock for operators), null where there is none. */
    String executionArn(String executionName);

    /**
     * The execution's state.
     *
     * @throws dev.motflow.retraining.RetryableException when the service is throttling or unavailable
     */
    State state(String executionName);
}
