package dev.motflow.common.http;

import java.util.Set;

/**
 * Who made a request, as API Gateway authenticated it: {@code owner} is the normalised identity a
 * resource records as its owner ({@code iam:<userArn>} or {@code cognito:<sub>}), {@code groups}
 * the JWT's {@code cognito:groups} (empty for IAM callers).
 */
public record Caller(String owner, Set<String> groups) {
    /** The owner prefix of an IAM principal. */
    public static final String IAM = "iam:";
    /** The owner prefix of a Cognito user (the JWT's {@code sub}). */
    public static final String COGNITO = "cognito:";

    public Caller {
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("a caller needs an owner");
        }
        groups = groups == null ? Set.of() : Set.copyOf(groups);
    }

    /** An IAM principal by its ARN (the request context's {@code userArn}). */
    public static Caller iam(String userArn) {
        return new Caller(IAM + userArn, Set.of());
    }

    /** A Cognito user by its {@code sub}, with its groups. */
    public static Caller cognito(String sub, Set<String> groups) {
        return new Caller(COGNITO + sub, groups);
    }
}
