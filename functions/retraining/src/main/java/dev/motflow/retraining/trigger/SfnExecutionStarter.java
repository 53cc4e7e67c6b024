package dev.motflow.retraining.trigger;

import dev.motflow.retraining.store.AwsErrors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

/** {@link ExecutionStarter} on AWS Step Functions. */
public final class SfnExecutionStarter implements ExecutionStarter {
    private final SfnClient sfn;
    private final String stateMachineArn;

    public SfnExecutionStarter(SfnClient sfn, String stateMachineArn) {
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
    }

    @Override
    public Started start(String name, String inputJson) {
        try {
            sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name(name).input(inputJson));
            return Started.STARTED;
        } catch (ExecutionAlreadyExistsException e) {
            return Started.ALREADY_EXISTS;
        } catch (SdkException e) {
            throw AwsErrors.classify("StartExecution " + name, e);
        }
    }
}
