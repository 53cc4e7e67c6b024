package dev.motflow.common.http;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Who may see a resource that has an owner (a job, a stream): its owner, and admins. An admin is a
 * caller whose owner string is in {@code ADMIN_PRINCIPALS} (comma separated; a bare ARN means
 * {@code iam:<arn>}) or whose JWT has the {@value #ADMIN_GROUP} group. A resource without an owner
 * (made before owners were recorded) is visible to admins only.
 */
public final class Admins {
    /** The environment variable listing admin principals. */
    public static final String ADMIN_PRINCIPALS_ENV = "ADMIN_PRINCIPALS";
    /** The Cognito group whose members are admins. */
    public static final String ADMIN_GROUP = "motflow-admins";

    private final Set<String> owners;

    public Admins(Set<String> owners) {
        this.owners = Set.copyOf(owners);
    }

    /** No admin principals (the JWT group still makes admins). */
    public static Admins none() {
        return new Admins(Set.of());
    }

    public static Admins fromEnvironment() {
        return fromMap(System.getenv());
    }

    public static Admins fromMap(Map<String, String> env) {
        return new Admins(parse(env.get(ADMIN_PRINCIPALS_ENV)));
    }

    /** The owner strings of an {@code ADMIN_PRINCIPALS} value. */
    public static Set<String> parse(String list) {
        Set<String> out = new LinkedHashSet<>();
        if (list == null) {
            return out;
        }
        for (String p : list.split(",")) {
            String t = p.strip();
            if (!t.isEmpty()) {
                out.add(t.startsWith("arn:") ? Caller.IAM + t : t);
            }
        }
        return out;
    }

    /** The admin owner strings. */
    public Set<String> owners() {
        return owners;
    }

    public boolean isAdmin(Caller caller) {
        return caller != null && (owners.contains(caller.owner()) || caller.groups().contains(ADMIN_GROUP));
    }

    /** Whether {@code caller} may see a resource of {@code owner} (null: no recorded owner, admins only). */
    public boolean maySee(Caller caller, String owner) {
        return caller != null && (isAdmin(caller) || caller.owner().equals(owner));
    }
}
