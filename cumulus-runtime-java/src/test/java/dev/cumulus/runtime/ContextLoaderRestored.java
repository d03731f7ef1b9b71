package dev.cumulus.runtime;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Loading a handler makes the function's loader the thread's context loader; tests put the old one back. */
final class ContextLoaderRestored implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ContextLoaderRestored.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("loader", Thread.currentThread().getContextClassLoader());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Thread.currentThread().setContextClassLoader(context.getStore(NAMESPACE).get("loader", ClassLoader.class));
    }
}
