package dev.cumulus.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final InetAddress ONE = InetAddress.getLoopbackAddress();
    private static final InetAddress TWO = address("127.0.0.2");

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void publicTrafficCannotTakeTheAdminAllowance() {
        Admission admission = new Admission(1, 2, 10);
        admission.admit(Admission.Traffic.PUBLIC, ONE);
        admission.admit(Admission.Traffic.PUBLIC, TWO);
        assertThatThrownBy(() -> admission.admit(Admission.Traffic.PUBLIC, TWO))
                .isInstanceOfSatisfying(Admission.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.code()).isEqualTo("Busy");
                });
        Admission.Ticket admin = admission.admit(Admission.Traffic.ADMIN, ONE);
        assertThatThrownBy(() -> admission.admit(Admission.Traffic.ADMIN, ONE)).isInstanceOf(Admission.Refused.class);
        admin.close();
        admission.admit(Admission.Traffic.ADMIN, ONE).close();
        admission.admit(Admission.Traffic.FREE, ONE).close(); // health checks are never refused
    }

    @Test
    void oneAddressGetsOnlyItsShareAndGetsItBackWhenItsRequestsEnd() {
        Admission admission = new Admission(1, 10, 3);
        List<Admission.Ticket> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mine.add(admission.admit(Admission.Traffic.PUBLIC, ONE));
        }
        assertThatThrownBy(() -> admission.admit(Admission.Traffic.PUBLIC, ONE))
                .isInstanceOfSatisfying(Admission.Refused.class, e -> assertThat(e.status()).isEqualTo(429));
        admission.admit(Admission.Traffic.PUBLIC, TWO).close(); // another address is not held back
        mine.forEach(Admission.Ticket::close);
        for (int i = 0; i < 3; i++) {
            admission.admit(Admission.Traffic.PUBLIC, ONE);
        }
    }

    @Test
    void aRefusalHoldsNothing() {
        Admission admission = new Admission(1, 1, 1);
        Admission.Ticket held = admission.admit(Admission.Traffic.PUBLIC, ONE);
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> admission.admit(Admission.Traffic.PUBLIC, TWO)).isInstanceOf(Admission.Refused.class);
            assertThatThrownBy(() -> admission.admit(Admission.Traffic.PUBLIC, ONE)).isInstanceOf(Admission.Refused.class);
        }
        held.close();
        admission.admit(Admission.Traffic.PUBLIC, TWO).close();
        admission.admit(Admission.Traffic.PUBLIC, ONE).close();
    }
}
