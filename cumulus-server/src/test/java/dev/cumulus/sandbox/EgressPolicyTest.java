package dev.cumulus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The allow-list's grammar, and the rules it becomes (ADR 0038). */
class EgressPolicyTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "db.internal:5432   | db.internal | | 5432",
        "DB.Internal:5432   | db.internal | | 5432",
        "192.0.2.7:443      | 192.0.2.7   | | 443",
        "10.1.2.3/16:6379   |             | 10.1.0.0/16 | 6379",
        "0.0.0.0/0:53       |             | 0.0.0.0/0 | 53",
        "h:65535            | h           | | 65535"})
    void acceptedDestinations(String text, String host, String cidr, int port) {
        assertThat(Egress.destination(text.strip())).isEqualTo(new Egress.Destination(
                host == null ? null : host.strip(), cidr == null ? null : cidr.strip(), port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", ":80", "host:", "host:0", "host:65536", "host:http", "[::1]:80", "::1:80",
        "10.0.0.0/33:80", "10.0.0.0/x:80", "300.1.1.1:80", "bad_name:80", "-bad.example:80", "a b:80",
        "10.0.0/8:80"})
    void refusedDestinations(String text) {
        assertThatThrownBy(() -> Egress.destination(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAllowListNeedsOneToSixtyFourDestinationsAndCollapsesDuplicates() {
        assertThatThrownBy(() -> Egress.allow(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Egress.allow(java.util.stream.IntStream.range(0, 65).mapToObj(i -> "h" + i + ":1").toList()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Egress.allow(List.of("a:1", "A:1", "a:2")).allowed()).hasSize(2);
    }

    @Test
    void namesNeedResolvingAddressesDoNot() {
        assertThat(Egress.destination("db:1").needsResolving()).isTrue();
        assertThat(Egress.destination("192.0.2.1:1").needsResolving()).isFalse();
        assertThat(Egress.destination("192.0.2.0/24:1").needsResolving()).isFalse();
    }

    @Test
    void theRulesForwardOnlyTheAllowedPairsAndNeverToTheHostOrOtherInstances() throws Exception {
        Egress egress = Egress.allow(List.of("db:5432", "192.0.2.7:443"));
        String rules = EgressNetworks.rules("cumulus_t", "cuth", "10.203.0.4", egress,
                Map.of("db", List.of((java.net.Inet4Address) java.net.InetAddress.getByName("198.51.100.9"))));

        assertThat(rules)
                .contains("iifname \"cuth\" ip daddr 198.51.100.9 tcp dport 5432 accept")
                .contains("iifname \"cuth\" ip daddr 192.0.2.7 tcp dport 443 accept")
                .contains("iifname \"cuth\" ip daddr 10.203.0.0/16 drop")
                .contains("type filter hook input priority -10; policy accept;\n    iifname \"cuth\" drop")
                .contains("ip saddr 10.203.0.4/30 oifname != \"cuth\" masquerade")
                .doesNotContain("iifname \"cuth\" accept");
        // the instance subnet drop comes before any accept, the catch-all drop after all of them
        assertThat(rules.indexOf("10.203.0.0/16 drop")).isLessThan(rules.indexOf(" accept\n"));
        assertThat(rules.indexOf("iifname \"cuth\" drop")).isGreaterThan(rules.lastIndexOf("dport 443 accept"));
        assertThat(EgressNetworks.rules("cumulus_t", "cuth", "10.203.0.4", Egress.FULL, Map.of()))
                .contains("iifname \"cuth\" accept");
    }
}
