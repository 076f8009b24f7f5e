import BackupEngine
import Foundation
import LifeboatModel

/// A job's schedule, enabled state and next run, with times in its organization's time zone.
struct JobSchedulePrinter {
    let job: BackupJob
    let timeZone: TimeZone
    let now: Date

    init(job: BackupJob, timeZone: TimeZone, now: Date) {
        self.job = job
        self.timeZone = timeZone
        self.now = now
    }

    init(job: BackupJob, organization: Organization, now: Date) {
        self.init(job: job, timeZone: organization.timeZone, now: now)
    }

    /// "next run 2026-12-07 22:00:00 +01:00", or why there is none.
    var nextRun: String {
        guard job.schedule.trigger != .manualOnly else { return "no scheduled runs" }
        guard job.isEnabled else { return "no scheduled runs (disabled)" }
        guard let next = ScheduleCalendar(schedule: job.schedule, timeZone: timeZone).nextRun(after: now) else {
            return "no run can start (window)"
        }
        return "next run \(time(next))"
    }

    /// What `job edit` and `job add` print: the job's schedule in words, its state and next run.
    var sentence: String {
        "Job '\(job.name)': \(job.schedule.words), \(job.isEnabled ? "enabled" : "disabled"); \(nextRun) (\(timeZone.identifier))."
    }

    /// `instant` as wall-clock time in the organization's time zone, with its offset.
    func time(_ instant: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss xxx"
        return formatter.string(from: instant)
    }
}
