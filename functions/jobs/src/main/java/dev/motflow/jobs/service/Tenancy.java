package dev.motflow.jobs.service;

import java.util.Map;
import java.util.Set;

import dev.motflow.common.http.Admins;
import dev.motflow.common.http.Caller;
import dev.motflow.jobs.model.Job;

/**
 * Who may see a job: its owner, and the {@link Admins} (shared with the stream API). Jobs of
 * dropped objects ({@code drop:...}) have no API owner, so only admins see them.
 */
public final class Tenancy {
    /** The environment variable listing admin principals. */
    public static final String ADMIN_PRINCIPALS_ENV = Admins.ADMIN_PRINCIPALS_ENV;
    /** The Cognito group whose members are admins. */
    public static final String ADMIN_GROUP = Admins.ADMIN_GROUP;
    /** The owner prefix of jobs made by S3 drops. */
    public static final String DROP = "drop:";

    private final Admins admins;

    public Tenancy(Set<String> adminOwners) {
        this(new Admins(adminOwners));
    }

    public Tenancy(Admins admins) {
        this.admins = admins;
    }

    /** No admin principals (the JWT group still makes admins). */
    public static Tenancy noAdmins() {
        return new Tenancy(Admins.none());
    }

    public static Tenancy fromEnvironment() {
        return new Tenancy(Admins.fromEnvironment());
    }

    public static Tenancy fromMap(Map<String, String> env) {
        return new Tenancy(Admins.fromMap(env));
    }

    /** The owner strings of an {@code ADMIN_PRINCIPALS} value. */
    public static Set<String> parse(String list) {
        return Admins.parse(list);
    }

    /** The admin owner strings. */
    public Set<String> adminOwners() {
        return admins.owners();
    }

    public boolean isAdmin(Caller caller) {
        return admins.isAdmin(caller);
    }

    /** Whether {@code caller} may read {@code job}: an admin, or the job's owner. */
    public boolean canSee(Caller caller, Job job) {
        return admins.maySee(caller, job.owner());
    }

    /** The owner of a job made by a dropped object: the bucket and the key's folder. */
    public static String dropOwner(String bucket, String key) {
        int slash = key == null ? -1 : key.lastIndexOf('/');
        return DROP + bucket + "/" + (slash < 0 ? "" : key.substring(0, slash + 1));
    }
}
