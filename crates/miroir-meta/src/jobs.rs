//! Background jobs claimed by peers (§14.5 Mode C): rebalance migrations, dump-import
//! chunks, reshard back-fills.
//!
//! ```text
//!   (new) ─► Queued ─claim─► InProgress ─► Completed | Failed
//!              ▲  ▲              │  ▲
//!              │  └─ claim lapses┘  │ re-claim after expiry (another peer resumes at cursor)
//!              └──── resume ─ Paused ◄─ pause (from Queued or InProgress)
//! ```
//!
//! A claim lasts until its expiry unless the claimant re-claims (heartbeat). Only the live
//! claimant may report progress; the cursor it reports never goes back, so a peer taking
//! over resumes where the previous one committed.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;
use crate::response::Response;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobState {
    /// Waiting for a claimant.
    Queued,
    /// Claimed (the claim may have lapsed; then anyone may re-claim).
    InProgress,
    /// Stopped by an operator; keeps its cursor.
    Paused,
    /// Done.
    Completed,
    /// Given up, with an error.
    Failed,
}

impl JobState {
    /// Whether the job is over.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobState::Completed | JobState::Failed)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            JobState::Queued => "queued",
            JobState::InProgress => "in_progress",
            JobState::Paused => "paused",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
        };
        f.write_str(name)
    }
}

/// Who holds a job and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobClaim {
    /// The claimant (a peer id).
    pub holder: String,
    /// When the claim lapses unless renewed.
    pub expires_at_ms: u64,
}

/// One background job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Job id chosen by its creator.
    pub id: String,
    /// What kind of work (e.g. `rebalance`, `dump_import_chunk`).
    pub kind: String,
    /// Kind-specific input (JSON text).
    pub payload: String,
    /// Life-cycle state.
    pub state: JobState,
    /// Current claim, while in progress.
    pub claim: Option<JobClaim>,
    /// Last committed progress offset; never decreases.
    pub cursor: u64,
    /// Kind-specific progress detail (JSON text).
    pub progress_json: Option<String>,
    /// How many distinct claims the job has had.
    pub attempts: u32,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was created (proposer's clock).
    pub created_at_ms: u64,
    /// When it last changed.
    pub updated_at_ms: u64,
}

impl JobRecord {
    /// The live claim at `now_ms`, if any.
    pub fn live_claim(&self, now_ms: u64) -> Option<&JobClaim> {
        self.claim
            .as_ref()
            .filter(|claim| now_ms < claim.expires_at_ms)
    }

    /// Whether a peer may claim the job at `now_ms`.
    pub fn is_claimable(&self, now_ms: u64) -> bool {
        match self.state {
            JobState::Queued => true,
            JobState::InProgress => self.live_claim(now_ms).is_none(),
            JobState::Paused | JobState::Completed | JobState::Failed => false,
        }
    }
}

/// Changes to the job table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobCommand {
    /// Creates a `Queued` job with cursor 0.
    Create {
        /// New job id.
        id: String,
        /// Kind of work.
        kind: String,
        /// Kind-specific input (JSON text).
        payload: String,
    },
    /// Claims a claimable job, or extends one's own live claim (heartbeat); answers
    /// [`Response::JobClaimed`].
    Claim {
        /// The job.
        id: String,
        /// The claimant.
        holder: String,
        /// Claim lifetime from the request time (> 0).
        ttl_ms: u64,
    },
    /// Records progress; only the live claimant, cursor never decreasing.
    Progress {
        /// The job.
        id: String,
        /// The claimant.
        holder: String,
        /// New cursor (≥ the recorded one).
        cursor: u64,
        /// New progress detail (JSON text), if changed.
        progress_json: Option<String>,
    },
    /// Marks the job `Completed`; only the live claimant.
    Complete {
        /// The job.
        id: String,
        /// The claimant.
        holder: String,
    },
    /// Marks the job `Failed`; only the live claimant.
    Fail {
        /// The job.
        id: String,
        /// The claimant.
        holder: String,
        /// Why.
        error: String,
    },
    /// Pauses a queued or in-progress job, dropping its claim.
    Pause {
        /// The job.
        id: String,
    },
    /// Re-queues a paused job; it resumes at its cursor.
    Resume {
        /// The job.
        id: String,
    },
    /// Forgets a completed or failed job.
    Delete {
        /// The job.
        id: String,
    },
}

impl JobCommand {
    /// The job id the command is about.
    pub fn id(&self) -> &str {
        match self {
            Self::Create { id, .. }
            | Self::Claim { id, .. }
            | Self::Progress { id, .. }
            | Self::Complete { id, .. }
            | Self::Fail { id, .. }
            | Self::Pause { id }
            | Self::Resume { id }
            | Self::Delete { id } => id,
        }
    }

    pub(crate) fn describe(&self) -> String {
        let verb = match self {
            Self::Create { .. } => "create_job",
            Self::Claim { .. } => "claim_job",
            Self::Progress { .. } => "job_progress",
            Self::Complete { .. } => "complete_job",
            Self::Fail { .. } => "fail_job",
            Self::Pause { .. } => "pause_job",
            Self::Resume { .. } => "resume_job",
            Self::Delete { .. } => "delete_job",
        };
        format!("{verb} {}", self.id())
    }
}

/// Every job by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobTable {
    records: BTreeMap<String, JobRecord>,
}

impl JobTable {
    /// One job by id.
    pub fn get(&self, id: &str) -> Option<&JobRecord> {
        self.records.get(id)
    }

    /// Every job, ascending by id.
    pub fn iter(&self) -> impl Iterator<Item = &JobRecord> {
        self.records.values()
    }

    /// Jobs a peer could claim at `now_ms` (the background queue depth).
    pub fn claimable(&self, now_ms: u64) -> impl Iterator<Item = &JobRecord> {
        self.records
            .values()
            .filter(move |job| job.is_claimable(now_ms))
    }

    pub(crate) fn apply(
        &mut self,
        command: &JobCommand,
        now_ms: u64,
    ) -> Result<Response, Rejection> {
        let response = match command {
            JobCommand::Create { id, kind, payload } => {
                return self.create(id, kind, payload, now_ms)
            }
            JobCommand::Delete { id } => {
                let job = self.job_mut(id)?;
                if !job.state.is_terminal() {
                    return Err(state_forbids(job));
                }
                self.records.remove(id);
                return Ok(Response::Applied);
            }
            JobCommand::Claim { id, holder, ttl_ms } => {
                claim(self.job_mut(id)?, holder, *ttl_ms, now_ms)?
            }
            JobCommand::Progress {
                id,
                holder,
                cursor,
                progress_json,
            } => {
                let job = self.job_mut(id)?;
                ensure_claimant(job, holder, now_ms)?;
                if *cursor < job.cursor {
                    return Err(Rejection::CursorRegressed {
                        id: id.clone(),
                        current: job.cursor,
                        proposed: *cursor,
                    });
                }
                job.cursor = *cursor;
                if progress_json.is_some() {
                    job.progress_json = progress_json.clone();
                }
                Response::Applied
            }
            JobCommand::Complete { id, holder } => {
                let job = self.job_mut(id)?;
                ensure_claimant(job, holder, now_ms)?;
                job.state = JobState::Completed;
                job.claim = None;
                Response::Applied
            }
            JobCommand::Fail { id, holder, error } => {
                let job = self.job_mut(id)?;
                ensure_claimant(job, holder, now_ms)?;
                job.state = JobState::Failed;
                job.claim = None;
                job.error = Some(error.clone());
                Response::Applied
            }
            JobCommand::Pause { id } => {
                let job = self.job_mut(id)?;
                if !matches!(job.state, JobState::Queued | JobState::InProgress) {
                    return Err(state_forbids(job));
                }
                job.state = JobState::Paused;
                job.claim = None;
                Response::Applied
            }
            JobCommand::Resume { id } => {
                let job = self.job_mut(id)?;
                if job.state != JobState::Paused {
                    return Err(state_forbids(job));
                }
                job.state = JobState::Queued;
                Response::Applied
            }
        };
        if let Some(job) = self.records.get_mut(command.id()) {
            job.updated_at_ms = now_ms;
        }
        Ok(response)
    }

    fn job_mut(&mut self, id: &str) -> Result<&mut JobRecord, Rejection> {
        self.records
            .get_mut(id)
            .ok_or_else(|| Rejection::JobNotFound(id.to_owned()))
    }

    fn create(
        &mut self,
        id: &str,
        kind: &str,
        payload: &str,
        now_ms: u64,
    ) -> Result<Response, Rejection> {
        if id.is_empty() || kind.is_empty() {
            return Err(Rejection::invalid("job id and kind must not be empty"));
        }
        if self.records.contains_key(id) {
            return Err(Rejection::JobExists(id.to_owned()));
        }
        let job = JobRecord {
            id: id.to_owned(),
            kind: kind.to_owned(),
            payload: payload.to_owned(),
            state: JobState::Queued,
            claim: None,
            cursor: 0,
            progress_json: None,
            attempts: 0,
            error: None,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        };
        self.records.insert(id.to_owned(), job);
        Ok(Response::Applied)
    }
}

fn claim(
    job: &mut JobRecord,
    holder: &str,
    ttl_ms: u64,
    now_ms: u64,
) -> Result<Response, Rejection> {
    if holder.is_empty() {
        return Err(Rejection::invalid("job claimant must not be empty"));
    }
    if ttl_ms == 0 {
        return Err(Rejection::invalid("job claim ttl must be positive"));
    }
    let expires_at_ms = now_ms.saturating_add(ttl_ms);
    let is_heartbeat = match job.live_claim(now_ms) {
        Some(live) if live.holder == holder => true,
        Some(live) => {
            return Err(Rejection::JobClaimedByOther {
                id: job.id.clone(),
                holder: live.holder.clone(),
                expires_at_ms: live.expires_at_ms,
            })
        }
        None if job.is_claimable(now_ms) => false,
        None => return Err(state_forbids(job)),
    };
    if !is_heartbeat {
        job.attempts = job.attempts.saturating_add(1);
    }
    job.state = JobState::InProgress;
    job.claim = Some(JobClaim {
        holder: holder.to_owned(),
        expires_at_ms,
    });
    Ok(Response::JobClaimed {
        expires_at_ms,
        cursor: job.cursor,
        attempt: job.attempts,
    })
}

fn ensure_claimant(job: &JobRecord, holder: &str, now_ms: u64) -> Result<(), Rejection> {
    match job.live_claim(now_ms) {
        Some(live) if live.holder == holder => Ok(()),
        _ => Err(Rejection::JobNotClaimedBy {
            id: job.id.clone(),
            holder: holder.to_owned(),
        }),
    }
}

fn state_forbids(job: &JobRecord) -> Rejection {
    Rejection::JobStateForbids {
        id: job.id.clone(),
        state: job.state,
    }
}
