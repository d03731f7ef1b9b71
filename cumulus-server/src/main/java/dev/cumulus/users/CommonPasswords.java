package dev.cumulus.users;

import com.nulabinc.zxcvbn.StandardDictionaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;

/**
 * Passwords common in leaked password sets, refused whole as NIST SP 800-63B asks of a
 * "breached" list: the {@code passwords} dictionary zxcvbn4j ships (about 30,000 of the most
 * frequent passwords in public leaks), read offline from the library's jar, compared without
 * case. It is a list of the most common leaked passwords, not of every breached one: a lookup
 * service would need the network and send (part of) the hash of every password out (ADR 0032).
 */
final class CommonPasswords {
    private CommonPasswords() {}

    /** Loaded on first use: the list is a few hundred KiB that only password changes need. */
    private static final class Holder {
        static final Set<String> PASSWORDS = load();

        private static Set<String> load() {
            try {
                return Set.copyOf(StandardDictionaries.PASSWORDS_LOADER.load().getRankedDictionary().keySet());
            } catch (IOException e) {
                throw new UncheckedIOException("zxcvbn's password list is in its jar", e);
            }
        }
    }

    static boolean contains(String password) {
        return Holder.PASSWORDS.contains(password.toLowerCase(Locale.ROOT));
    }
}
