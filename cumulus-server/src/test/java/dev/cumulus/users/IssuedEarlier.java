package dev.cumulus.users;

import dev.cumulus.auth.SecretBox;
import dev.cumulus.store.Database;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Access tokens as a node's own key signed them some time ago (expired ones), for attack tests
 * on a running node: signed with the project's real key from the node's data directory, by the
 * node's own {@link UserTokens} under a clock set back.
 */
public final class IssuedEarlier {
    private IssuedEarlier() {}

    public static String accessToken(Path dataDir, String project, String userId, Duration ago) throws IOException {
        try (Database db = Database.open(null, dataDir)) {
            UserTokens tokens = new UserTokens(db, SecretBox.loadOrCreate(dataDir),
                    Clock.offset(Clock.systemUTC(), ago.negated()));
            UserStore.User user = db.withConnection(c -> UserStore.byId(c, project, userId)).orElseThrow();
            return tokens.issue(user);
        }
    }
}
