package dev.motflow.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class AdminsTest {
    static final String OPS = "arn:aws:iam::123456789012:role/ops";

    @Test
    void aBareArnIsAnIamOwnerAndBlanksAreSkipped() {
        assertEquals(Set.of("iam:" + OPS, "cognito:abc", "iam:arn:aws:iam::1:user/x"),
                Admins.parse(" " + OPS + " ,, cognito:abc, iam:arn:aws:iam::1:user/x ,"));
        assertEquals(Set.of(), Admins.parse(null));
        assertEquals(Set.of(), Admins.fromMap(Map.of()).owners());
    }

    @Test
    void ownersSeeTheirOwnAdminsSeeAllAndNoOwnerMeansAdminsOnly() {
        Admins admins = Admins.fromMap(Map.of(Admins.ADMIN_PRINCIPALS_ENV, OPS));
        Caller ana = Caller.iam("arn:aws:iam::123456789012:user/ana");
        Caller ops = Caller.iam(OPS);
        Caller group = Caller.cognito("sub-1", Set.of(Admins.ADMIN_GROUP));
        assertTrue(admins.maySee(ana, ana.owner()));
        assertFalse(admins.maySee(ana, "iam:arn:aws:iam::123456789012:user/bo"));
        assertFalse(admins.maySee(ana, null));
        assertFalse(admins.maySee(null, ana.owner()));
        assertTrue(admins.maySee(ops, ana.owner()));
        assertTrue(admins.maySee(ops, null));
        assertTrue(admins.maySee(group, null));
        assertFalse(Admins.none().isAdmin(ops));
        assertTrue(Admins.none().isAdmin(group));
    }
}
