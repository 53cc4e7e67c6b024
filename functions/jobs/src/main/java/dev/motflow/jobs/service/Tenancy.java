package dev.motflow.jobs.service;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.motflow.common.http.Caller;
import dev.motflow.jobs.model.Job;

/**
 * Who may see a job: its owner, and admins. An admin is a caller whose owner string is in
 * {@code ADMIN_PRINCIPALS} (comma separated; a bare ARN means {@code iam:<arn>}) or whose JWT has
 * the {@value #ADMIN_GROUP} group. Jobs of dropped objects ({@code drop:...}) have no API owner, so
 * only admins see them.
 */
public final class Tenancy {
    /** The environment variable listing admin principals. */
    public static final String ADMIN_PRINCIPALS_ENV = "ADMIN_PRINCIPALS";
    /** The Cognito group whose members are admins. */
    public static final String ADMIN_GROUP = "motflow-admins";
    /** The owner prefix of jobs made by S3 drops. */
    public static final String DROP = "drop:";

    private final Set<String> adminOwners;

    public Tenancy(Set<String> adminOwners) {
        this.adminOwners = Set.copyOf(adminOwners);
    }

    /** No admin principals (the JWT group still makes admins). */
    public static Tenancy noAdmins() {
        return new Tenancy(Set.of());
    }

    public static Tenancy fromEnvironment() {
        return fromMap(System.getenv());
    }

    public static Tenancy fromMap(Map<String, String> env) {
        return new Tenancy(parse(env.get(ADMIN_PRINCIPALS_ENV)));
    }

    /** The owner strings of an {@code ADMIN_PRINCIPALS} value. */
    public static Set<String> parse(String list) {
        Set<String> out = new LinkedHashSet<>();
        if (list == null) {
            return out;
        }
        for (String p : list.split(",")) {
            String t = p.strip();
            if (t.isEmpty()) {
                continue;
            }
            out.add(t.startsWith("arn:") ? Caller.IAM + t : t);
        }
        return out;
    }

    /** The admin owner strings. */
    public java.util.Set<String> adminOwners() {
        return adminOwners;
    }

    public boolean isAdmin(Caller caller) {
        return caller != null && (adminOwners.contains(caller.owner()) || caller.groups().contains(ADMIN_GROUP));
    }

    /** Whether {@code caller} may read {@code job}: an admin, or the job's owner. */
    public boolean canSee(Caller caller, Job job) {
        return caller != null && (isAdmin(caller) || caller.owner().equals(job.owner()));
    }

    /** The owner of a job made by a dropped object: the bucket and the key's folder. */
    public static String dropOwner(String bucket, String key) {
        int slash = key == null ? -1 : key.lastIndexOf('/');
        return DROP + bucket + "/" + (slash < 0 ? "" : key.substring(0, slash + 1));
    }
}
