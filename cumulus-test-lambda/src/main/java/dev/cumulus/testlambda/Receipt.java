package dev.cumulus.testlambda;

import java.util.Map;

/** What {@link OrderHandler} answers: the order's total and what the Lambda Context said. */
public class Receipt {
    private String customer;
    private double total;
    private int items;
    private boolean express;
    private Map<String, Object> context;

    public String getCustomer() {
        return customer;
    }

    public void setCustomer(String customer) {
        this.customer = customer;
    }

    public double getTotal() {
        return total;
    }

    public void setTotal(double total) {
        this.total = total;
    }

    public int getItems() {
        return items;
    }

    public void setItems(int items) {
        this.items = items;
    }

    public boolean isExpress() {
        return express;
    }

    public void setExpress(boolean express) {
        this.express = express;
    }

    public Map<String, Object> getContext() {
        return context;
    }

    public void setContext(Map<String, Object> context) {
        this.context = context;
    }
}
