package dev.motflow.retraining.trigger;

import dev.motflow.retraining.store.AwsErrors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;

/** {@link ExecutionStatus} on AWS Step Functions (DescribeExecution of the state machine's named execution). */
public final class SfnExecutionStatus implements ExecutionStatus {
    private final SfnClient sfn;
    private final String stateMachineArn;

    public SfnExecutionStatus(SfnClient sfn, String stateMachineArn) {
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
    }

    /** arn:aws:states:REGION:ACCOUNT:stateMachine:NAME -> arn:aws:states:REGION:ACCOUNT:execution:NAME:EXECUTION. */
    public static String executionArn(String stateMachineArn, String executionName) {
        return stateMachineArn.replaceFirst(":stateMachine:", ":execution:") + ":" + executionName;
    }

    @Override
    public String executionArn(String executionName) {
        return executionArn(stateMachineArn, executionName);
    }

    @Override
    public State state(String executionName) {
        String arn = executionArn(executionName);
        try {
            String status = sfn.describeExecution(b -> b.executionArn(arn)).statusAsString();
            try {
                return State.valueOf(status);
            } catch (IllegalArgumentException | NullPointerException unknown) {
                return State.UNKNOWN;
            }
        } catch (ExecutionDoesNotExistException e) {
            return State.NOT_FOUND;
        } catch (SdkException e) {
            throw AwsErrors.classify("DescribeExecution " + arn, e);
        }
    }
}
