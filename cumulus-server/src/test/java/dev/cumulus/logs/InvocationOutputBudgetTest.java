package dev.cumulus.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InvocationOutputBudgetTest {

    @Test
    void anInvocationPastItsBudgetIsToldOnceThenDropped() {
        InvocationOutputBudget budget = new InvocationOutputBudget(10);
        assertThat(budget.admit("r1", "1234")).isEqualTo("1234"); // 5 with its line break
        assertThat(budget.admit("r1", "5678")).isEqualTo("5678"); // 10
        assertThat(budget.admit("r1", "9")).startsWith("cumulus: this invocation's output passed 10 characters");
        assertThat(budget.admit("r1", "more")).isNull();
    }

    @Test
    void theNextInvocationStartsWithAFullBudget() {
        InvocationOutputBudget budget = new InvocationOutputBudget(10);
        budget.admit("r1", "x".repeat(20));
        assertThat(budget.admit("r1", "y")).isNull();
        assertThat(budget.admit("r2", "fresh")).isEqualTo("fresh");
        assertThat(budget.admit(null, "idle line")).as("lines between invocations have a budget of their own")
                .isEqualTo("idle line");
    }
}
