package emend.actors.rollout;

import emend.actors.protocol.LearnerProtocol;
import emend.actors.protocol.VerifierProtocol;
import emend.config.RuntimeSettings;
import emend.dispatch.LeasedRollouts;
import emend.dispatch.PolicyReplica;
import emend.engine.DeviceSlots;
import emend.proto.GroupResult;
import emend.proto.PromptLease;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a rollout worker is told besides the learner's {@link LearnerProtocol.ToWorker}: its node's drain, and what
 * its children report ({@link WeightFetcher}, {@link ModelHost}, {@link VerificationRelay}). Only {@link Drain} and
 * {@link Setup} are for other packages; the rest stays inside the worker.
 */
public final class WorkerProtocol {

    private WorkerProtocol() {}

    /** The worker's own messages. */
    public sealed interface Command extends LearnerProtocol.ToWorker {}

    /**
     * What a worker needs besides the learner's RunSpec. Verifier pools are found through the receptionist
     * ({@link VerifierProtocol#KEY}); the worker takes no work while it knows none.
     */
    public record Setup(String workerId, DeviceSlots.Slot device, RuntimeSettings runtime, ActorRef<LearnerProtocol.Command> learner,
                        PolicyReplica.GeneratorFactory generators) {

        /** The hello of the incarnation with {@code nonce}, on the node at {@code nodeAddress}. */
        WorkerHello hello(String nodeAddress, long nonce) {
            return WorkerHello.newBuilder().setWorkerId(workerId).setNodeAddress(nodeAddress).setDevice(device.label()).setNonce(nonce).build();
        }

        /** A request for as many prompts as the runtime asks for at once, from a worker holding {@code heldVersion}. */
        WorkRequest workRequest(long heldVersion) {
            return WorkRequest.newBuilder().setWorkerId(workerId).setCapacity(runtime.promptsPerRequest()).setPolicyVersion(heldVersion).build();
        }
    }

    /** Finish the leases held, take no more, then stop (a node scaling down or draining; local only). */
    public enum Drain implements Command { INSTANCE }

    /** The newest version the learner announced, from the {@link WeightFetcher}. */
    record Announced(long version) implements Command {}

    /** A whole version whose chunks all passed their hash check, from the {@link WeightFetcher}. */
    record Fetched(WeightManifest manifest, byte[] bytes) implements Command {}

    /** A version loaded into the model (failure null) or not, from the {@link ModelHost}. */
    record Loaded(WeightManifest manifest, Throwable failure) implements Command {}

    /** The outcome of generating {@code leases}, from the {@link ModelHost}; a restarted worker drops its former self's. */
    record Generated(List<PromptLease> leases, List<LeasedRollouts.LeasedGroup> groups, Throwable failure) implements Command {}

    /** A scored group's result for the learner, from the {@link VerificationRelay}. */
    record GroupScored(GroupResult result) implements Command {}

    /** Every group of the batch is scored or let go (the learner re-issues those), from the {@link VerificationRelay}. */
    enum BatchVerified implements Command { INSTANCE }

    /** Whether the receptionist lists any verifier pool (the worker takes no work while it knows none). */
    record VerifiersKnown(boolean any) implements Command {}

    /** The worker's timer: say hello again, ask again, or give up on a grant that did not come. */
    enum Retry implements Command { INSTANCE }

    /** The worker's timer: send again the results the learner has not acknowledged. */
    enum ResendUnacked implements Command { INSTANCE }
}
