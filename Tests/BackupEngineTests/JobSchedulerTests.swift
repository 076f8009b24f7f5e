import BackupEngine
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import Testing

private func at(_ text: String) -> Date { .iso8601(text) }

private let newYork = TimeZone(identifier: "America/New_York")!
private let berlin = TimeZone(identifier: "Europe/Berlin")!

/// Jobs and what the scheduler recorded, in memory; runs "execute" when the test says so.
private actor InMemorySchedule: ScheduleStore, ScheduledRunStarter {
    var jobs: [UUID: ScheduledJob] = [:]
    var skips: [(jobID: UUID, at: Date, reason: String)] = []
    var starts: [(jobID: UUID, at: Date, attempt: Int)] = []
    /// Runs in progress, by job: a start of such a job is refused.
    var active: Set<UUID> = []
    let clock: ManualWallClock
    /// Whether a started run ends at once (with `outcome`) instead of staying active.
    var finishAtOnce: JobRunState?
    let started: AsyncStream<Int>.Continuation
    let startedEvents: AsyncStream<Int>

    init(clock: ManualWallClock, finishAtOnce: JobRunState? = .succeeded) {
        self.clock = clock
        self.finishAtOnce = finishAtOnce
        (startedEvents, started) = AsyncStream.makeStream(of: Int.self)
    }

    func add(_ job: ScheduledJob) { jobs[job.jobID] = job }

    func scheduledJobs() -> [ScheduledJob] { Array(jobs.values) }

    func recordScheduled(jobID: UUID, through instant: Date) { jobs[jobID]?.scheduledThrough = instant }

    func recordSkip(jobID: UUID, at instant: Date, reason: String) { skips.append((jobID, instant, reason)) }

    func startScheduledRun(jobID: UUID, attempt: Int) -> Bool {
        guard !active.contains(jobID) else { return false }
        let now = clock.now()
        starts.append((jobID, now, attempt))
        if let outcome = finishAtOnce {
            jobs[jobID]?.lastScheduledRun = ScheduledRunOutcome(state: outcome, endedAt: now, attempt: attempt)
        } else {
            active.insert(jobID)
            jobs[jobID]?.lastScheduledRun = ScheduledRunOutcome(state: .running, endedAt: nil, attempt: attempt)
        }
        started.yield(starts.count)
        return true
    }

    func finish(_ jobID: UUID, as state: JobRunState, at instant: Date) {
        active.remove(jobID)
        if var last = jobs[jobID]?.lastScheduledRun {
            last.state = state
            last.endedAt = instant
            jobs[jobID]?.lastScheduledRun = last
        }
    }

    func setFinishAtOnce(_ state: JobRunState?) { finishAtOnce = state }
}

private func job(
    _ trigger: BackupSchedule.Trigger, window: BackupWindow? = nil, retry: RetryPolicy? = nil, zone: TimeZone = berlin,
    through: Date, enabled: Bool = true, last: ScheduledRunOutcome? = nil
) -> ScheduledJob {
    ScheduledJob(
        jobID: UUID(), name: "job", isEnabled: enabled, schedule: BackupSchedule(trigger: trigger, window: window, retry: retry),
        timeZone: zone, scheduledThrough: through, lastScheduledRun: last)
}

@Suite("The scheduler starts due runs once, records skips, retries, and never doubles a run")
struct JobSchedulerTests {
    @Test("a periodic job waits for its next slot and starts on it")
    func startsOnSlot() {
        let hourly = job(.periodically(interval: .hours1, offsetMinutes: 0), through: at("2026-05-04T10:00:00+02:00"))
        #expect(JobScheduler.decide(hourly, now: at("2026-05-04T10:30:00+02:00")) == .wait(until: at("2026-05-04T11:00:00+02:00")))
        #expect(JobScheduler.decide(hourly, now: at("2026-05-04T11:00:00+02:00")) == .start(attempt: 1))
        let manual = job(.manualOnly, through: at("2026-05-04T10:00:00+02:00"))
        #expect(JobScheduler.decide(manual, now: at("2027-05-04T10:00:00+02:00")) == .wait(until: nil))
    }

    @Test("runs missed while nothing was scheduling start once; a closed window turns them into a recorded skip")
    func missedRuns() throws {
        let nightly = job(
            .daily(days: .everyday, time: try #require(TimeOfDay(hour: 22, minute: 0))), through: at("2026-05-01T10:00:00+02:00"))
        // Friday to Monday morning: three missed runs, one start.
        #expect(JobScheduler.decide(nightly, now: at("2026-05-04T09:00:00+02:00")) == .start(attempt: 1))
        var handled = nightly
        handled.scheduledThrough = at("2026-05-04T09:00:00+02:00")
        #expect(JobScheduler.decide(handled, now: at("2026-05-04T09:00:01+02:00")) == .wait(until: at("2026-05-04T22:00:00+02:00")))

        let nights = try #require(BackupWindow(days: Set(1...7), fromHour: 20, toHour: 6))
        let windowed = job(.periodically(interval: .hours1, offsetMinutes: 0), window: nights, through: at("2026-05-04T19:00:00+02:00"))
        guard case .skip(let reason) = JobScheduler.decide(windowed, now: at("2026-05-05T12:00:00+02:00")) else {
            Issue.record("a run missed overnight is not started at noon outside its window")
            return
        }
        #expect(reason.contains("window"))
    }

    @Test("a failed or warning scheduled run is retried after the wait, up to the count; a success is not")
    func retries() throws {
        let policy = try #require(RetryPolicy(count: 2, waitMinutes: 10))
        let through = at("2026-05-04T11:00:00+02:00")
        func after(_ state: JobRunState, attempt: Int) -> ScheduledJob {
            job(
                .periodically(interval: .hours4, offsetMinutes: 0), retry: policy, through: through,
                last: ScheduledRunOutcome(state: state, endedAt: at("2026-05-04T11:05:00+02:00"), attempt: attempt))
        }
        #expect(JobScheduler.decide(after(.failed, attempt: 1), now: at("2026-05-04T11:10:00+02:00")) == .wait(until: at("2026-05-04T11:15:00+02:00")))
        #expect(JobScheduler.decide(after(.failed, attempt: 1), now: at("2026-05-04T11:15:00+02:00")) == .start(attempt: 2))
        #expect(JobScheduler.decide(after(.warning, attempt: 2), now: at("2026-05-04T11:15:00+02:00")) == .start(attempt: 3))
        #expect(JobScheduler.decide(after(.failed, attempt: 3), now: at("2026-05-04T11:15:00+02:00")) == .wait(until: at("2026-05-04T12:00:00+02:00")))
        #expect(JobScheduler.decide(after(.succeeded, attempt: 1), now: at("2026-05-04T11:15:00+02:00")) == .wait(until: at("2026-05-04T12:00:00+02:00")))
        var retried = after(.failed, attempt: 1)
        retried.scheduledThrough = at("2026-05-04T11:15:00+02:00")
        #expect(JobScheduler.decide(retried, now: at("2026-05-04T11:20:00+02:00")) == .wait(until: at("2026-05-04T12:00:00+02:00")))
    }

    @Test("a run still going when the next is due is not doubled: the skip is recorded; disabled jobs are left alone")
    func noDoubleRuns() async throws {
        let clock = ManualWallClock(start: at("2026-05-04T10:00:00+02:00"))
        let schedule = InMemorySchedule(clock: clock, finishAtOnce: nil)
        let hourly = job(.periodically(interval: .hours1, offsetMinutes: 0), through: clock.now())
        let disabled = job(.periodically(interval: .minutes5, offsetMinutes: 0), through: clock.now(), enabled: false)
        await schedule.add(hourly)
        await schedule.add(disabled)
        let scheduler = JobScheduler(store: schedule, starter: schedule, clock: clock, logger: .quiet("JobSchedulerTests"))

        clock.advance(to: at("2026-05-04T11:00:00+02:00"))
        #expect(await scheduler.pass(at: clock.now()) == at("2026-05-04T12:00:00+02:00"))
        clock.advance(to: at("2026-05-04T12:00:00+02:00"))
        await scheduler.pass(at: clock.now())
        #expect(await schedule.starts.map(\.attempt) == [1])
        let skips = await schedule.skips
        #expect(skips.count == 1)
        #expect(skips.first?.jobID == hourly.jobID)
        #expect(skips.first?.reason.contains("still going") == true)
        #expect(await schedule.jobs[disabled.jobID]?.scheduledThrough == disabled.scheduledThrough)

        await schedule.finish(hourly.jobID, as: .succeeded, at: at("2026-05-04T12:20:00+02:00"))
        clock.advance(to: at("2026-05-04T13:00:00+02:00"))
        await scheduler.pass(at: clock.now())
        #expect(await schedule.starts.count == 2)
    }

    @Test("a month of a periodic schedule across a daylight-saving change runs exactly the slots its calendar names")
    func monthOfRuns() async throws {
        let start = at("2026-10-15T00:00:00-04:00")
        let end = at("2026-11-15T00:00:00-05:00")
        let clock = ManualWallClock(start: start)
        let schedule = InMemorySchedule(clock: clock)
        let every4h = job(.periodically(interval: .hours4, offsetMinutes: 30), zone: newYork, through: start)
        await schedule.add(every4h)
        let scheduler = JobScheduler(store: schedule, starter: schedule, clock: clock, logger: .quiet("JobSchedulerTests"))
        var now = start
        while let next = await scheduler.pass(at: now), next <= end {
            clock.advance(to: next)
            now = next
        }
        let calendar = ScheduleCalendar(schedule: every4h.schedule, timeZone: newYork)
        var expected: [Date] = []
        var cursor = start
        while let next = calendar.nextRun(after: cursor), next <= end {
            expected.append(next)
            cursor = next
        }
        #expect(await schedule.starts.map(\.at) == expected)
        #expect(expected.count == 31 * 6)
        #expect(await schedule.skips.isEmpty)
    }

    @Test("as a service it sleeps on its clock until the next run is due, starts it, and stops when cancelled")
    func serviceLoop() async throws {
        let clock = ManualWallClock(start: at("2026-05-04T10:00:00+02:00"))
        let schedule = InMemorySchedule(clock: clock)
        await schedule.add(job(.periodically(interval: .minutes15, offsetMinutes: 0), through: clock.now()))
        let scheduler = JobScheduler(store: schedule, starter: schedule, clock: clock, pollInterval: 3_600, logger: .quiet("JobSchedulerTests"))
        let task = Task { try await scheduler.run() }
        var events = schedule.startedEvents.makeAsyncIterator()
        for expected in 1...3 {
            while clock.sleeperCount == 0 { await Task.yield() }
            clock.advance(by: 15 * 60)
            #expect(await events.next() == expected)
        }
        task.cancel()
        try await task.value
        #expect(await schedule.starts.map(\.at) == [
            at("2026-05-04T10:15:00+02:00"), at("2026-05-04T10:30:00+02:00"), at("2026-05-04T10:45:00+02:00"),
        ])
    }
}
