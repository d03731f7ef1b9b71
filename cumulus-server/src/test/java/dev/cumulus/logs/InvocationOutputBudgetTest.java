package dev.cumulus.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InvocationOutputBudgetTest {

    @Test
    void anInvocationPastItsBudgetIsToldOnceThenDropped() {
        InvocationOutputBudget budget = new InvocationOutputBudget(10, 1);
        assertThat(budget.admit("r1", "1234")).isEqualTo("1234"); // 5 with its line break
        assertThat(budget.admit("r1", "5678")).isEqualTo("5678"); // 10
        assertThat(budget.admit("r1", "9")).startsWith("cumulus: this invocation's output passed 10 characters");
        assertThat(budget.admit("r1", "more")).isNull();
    }

    @Test
    void theNextInvocationStartsWithAFullBudget() {
        InvocationOutputBudget budget = new InvocationOutputBudget(10, 1);
        budget.admit("r1", "x".repeat(20));
        assertThat(budget.admit("r1", "y")).isNull();
        assertThat(budget.admit("r2", "fresh")).isEqualTo("fresh");
        assertThat(budget.admit(null, "idle line")).as("lines between invocations have a budget of their own")
                .isEqualTo("idle line");
    }

    @Test
    void concurrentInvocationsEachHaveTheirOwnBudgetHoweverTheirLinesInterleave() {
        InvocationOutputBudget budget = new InvocationOutputBudget(10, 4);
        assertThat(budget.admit("a", "1234")).isEqualTo("1234");
        assertThat(budget.admit("b", "x".repeat(20))).startsWith("cumulus: this invocation's output passed");
        assertThat(budget.admit("a", "5678")).as("b's spending is not a's").isEqualTo("5678");
        assertThat(budget.admit("b", "y")).isNull();
        assertThat(budget.admit("a", "9")).startsWith("cumulus: this invocation's output passed");
        assertThat(budget.admit("b", "z")).as("interleaving does not refill a spent budget").isNull();
    }

    @Test
    void itRemembersTheRequestsAnInstanceCanRunAtOnceAndTheOnesThatJustEnded() {
        InvocationOutputBudget budget = new InvocationOutputBudget(10, 2);
        budget.admit("spent", "x".repeat(20));
        for (int i = 0; i < 17; i++) { // the instance's 2 at once and 16 recent: "spent" stays within them
            assertThat(budget.admit("r" + i, "ok")).isEqualTo("ok");
        }
        assertThat(budget.admit("spent", "again")).isNull();
    }
}
