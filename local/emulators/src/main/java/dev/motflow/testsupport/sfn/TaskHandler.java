package dev.motflow.testsupport.sfn;

import com.fasterxml.jackson.databind.JsonNode;

/** Answers a Task: the task's result, or a {@link TaskFailure}. */
@FunctionalInterface
public interface TaskHandler {
    JsonNode handle(TaskCall call) throws TaskFailure;
}
