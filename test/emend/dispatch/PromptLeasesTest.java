package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import emend.rollout.PromptQueue;

import emend.proto.PromptLease;
import emend.rollout.PromptDraw;
import emend.task.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

final class PromptLeasesTest {

    @Test
    void aPromptCrossesTheWireWithEverythingItsGroupIdAndSeedsNeed_butNotItsAnswer() {
        RolloutLedger ledger = new RolloutLedger(new PromptQueue(List.of(new Problem("p7", "3*x+4=19", "5")), 1, 1, 0),
                new StalenessWindow(0, 1), 1_000, 10, 0, 1);
        LeaseTable.Lease<PromptDraw> lease = ledger.grant("w", 1, 0, 0, 0).get(0);
        PromptLease wire = PromptLeases.toWire(lease, true, 30_000, 0.5);
        assertEquals(lease.id(), wire.getLeaseId());
        assertEquals(true, wire.getTwoTurns());
        assertEquals(30_000, wire.getTimeoutMs());
        assertEquals(0.5, wire.getTemperature());
        PromptDraw back = PromptLeases.draw(wire);
        assertEquals(lease.item().groupId(), back.groupId());
        assertEquals(new Problem("p7", "3*x+4=19", ""), back.problem(), "workers never see the reference answer");
        assertEquals(lease.item().step(), back.step());
    }
}
