package emend.actors.node;

import com.typesafe.config.Config;
import emend.engine.ModelThread;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;

/**
 * A Pekko executor ({@code executor = "emend.actors.node.ModelThreadExecutor"}) that runs a dispatcher's tasks on
 * the JVM's {@link ModelThread}, so learner steps and generation share the thread (and libtorch's thread team)
 * the main job uses for warm-up and evaluation. Pekko shuts a dispatcher's executor down when it idles or its
 * system ends; that stops only this view, never the model thread.
 */
public final class ModelThreadExecutor extends ExecutorServiceConfigurator {

    public ModelThreadExecutor(Config config, DispatcherPrerequisites prerequisites) {
        super(config, prerequisites);
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
        return View::new;
    }

    /** The model thread as one dispatcher sees it. */
    private static final class View extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable task) {
            if (shutdown) {
                throw new RejectedExecutionException("the dispatcher using the model thread has shut down");
            }
            ModelThread.executor().execute(task);
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return shutdown;
        }
    }
}
