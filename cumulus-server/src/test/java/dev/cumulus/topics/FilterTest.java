package dev.cumulus.topics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Subscription filters: each given part must hold, a missing one matches anything. */
class FilterTest {
    @Test
    void theEmptyFilterTakesEveryEvent() {
        assertThat(Filter.ALL.matches("t", "/s", null)).isTrue();
        assertThat(Filter.ALL.matches("t", "/s", "x")).isTrue();
    }

    @Test
    void typeAndSourceMatchExactly() {
        Filter f = new Filter("order.created", "/shop", null);
        assertThat(f.matches("order.created", "/shop", null)).isTrue();
        assertThat(f.matches("order.created.v2", "/shop", null)).isFalse();
        assertThat(f.matches("order.created", "/shop/eu", null)).isFalse();
        assertThat(f.matches("Order.Created", "/shop", null)).isFalse();
    }

    @Test
    void subjectMatchesByPrefixAndAnEventWithoutSubjectNever() {
        Filter f = new Filter(null, null, "eu/");
        assertThat(f.matches("t", "/s", "eu/fr")).isTrue();
        assertThat(f.matches("t", "/s", "eu/")).isTrue();
        assertThat(f.matches("t", "/s", "us/eu/")).isFalse();
        assertThat(f.matches("t", "/s", null)).isFalse();
    }

    @Test
    void everyGivenPartMustHold() {
        Filter f = new Filter("a", "/s", "x");
        assertThat(f.matches("a", "/s", "xy")).isTrue();
        assertThat(f.matches("b", "/s", "xy")).isFalse();
        assertThat(f.matches("a", "/t", "xy")).isFalse();
        assertThat(f.matches("a", "/s", "y")).isFalse();
    }
}
