package dev.cumulus.testlambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** POJO in, POJO out, and every Context getter reported back. */
public class OrderHandler implements RequestHandler<Order, Receipt> {
    @Override
    public Receipt handleRequest(Order order, Context context) {
        Receipt receipt = new Receipt();
        receipt.setCustomer(order.getCustomer());
        receipt.setExpress(order.isExpress());
        double total = 0;
        int items = 0;
        for (Order.Line line : order.getLines()) {
            total += line.getQuantity() * line.getPrice();
            items += line.getQuantity();
        }
        receipt.setTotal(total);
        receipt.setItems(items);
        receipt.setContext(describe(context));
        return receipt;
    }

    static Map<String, Object> describe(Context context) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("awsRequestId", context.getAwsRequestId());
        c.put("functionName", context.getFunctionName());
        c.put("functionVersion", context.getFunctionVersion());
        c.put("invokedFunctionArn", context.getInvokedFunctionArn());
        c.put("memoryLimitInMB", context.getMemoryLimitInMB());
        c.put("remainingTimeInMillis", context.getRemainingTimeInMillis());
        c.put("logGroupName", context.getLogGroupName());
        c.put("logStreamName", context.getLogStreamName());
        c.put("identity", context.getIdentity() == null ? null : context.getIdentity().getIdentityId());
        c.put("clientContext", context.getClientContext() == null ? null : context.getClientContext().getCustom());
        return c;
    }
}
