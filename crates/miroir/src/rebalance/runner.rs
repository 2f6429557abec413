//! Carries out one claimed topology operation, step by step, committing its progress to the
//! job after every step and every page so that a new leader resumes where this one stopped.
//!
//! ```text
//!   Start ── topology change (joining / draining / group initializing), then settle
//!   Copy ─── every planned shard copy, page by page (bounded concurrency), verified by count
//!   Flip ─── cleanup planned from the placements before/after, then ownership flips; settle
//!   Cleanup  `_miroir_shard = s` deleted from nodes that no longer own s
//!   Done ─── job completed
//! ```
//!
//! Every step is idempotent: a topology command already in effect is not proposed again, a
//! page written twice stores the same documents, a deletion of nothing deletes nothing.
//! "Settle" waits until every Raft member replicated the change and requests routed with the
//! previous topology ran out (one node deadline), so that no write misses both placements.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use miroir_core::rebalance::{cleanup_plan, copy_plan, rehydrate_plan};
use miroir_core::router::PlacementTable;
use miroir_core::topology::{GroupId, NodeId, NodeState, Topology};
use miroir_meta::{
    CommandV1, GroupState, IndexRecord, IndexState, JobCommand, MetadataState, Response,
    TopologyCommand,
};
use tokio::sync::Mutex;

use super::operation::{CleanupProgress, CopyProgress, OperationProgress, Step, TopologyOperation};
use super::shard_io::{self, ShardIoError};
use super::RebalanceError;
use crate::proxy::Proxy;

/// Pause before retrying a node step that failed.
const RETRY_PAUSE: Duration = Duration::from_millis(500);
/// Longest wait for the other Raft members to replicate a topology change.
const REPLICATION_WAIT: Duration = Duration::from_secs(10);
/// Full passes over a shard before its copy is accepted despite a count mismatch.
const COPY_PASSES: u32 = 3;
/// Count comparisons of one pass before another pass starts (writes in flight settle).
const COUNT_CHECKS: u32 = 10;

/// Knobs of the copy step.
#[derive(Debug, Clone, Copy)]
pub struct CopyLimits {
    /// Shard copies running at once.
    pub concurrency: usize,
    /// Documents per page.
    pub batch_size: u32,
    /// Most documents copied per second over all copies (0 = unlimited).
    pub throttle_docs_per_sec: u64,
}

/// One operation being carried out by this peer.
pub struct OperationRun<'a> {
    proxy: &'a Proxy,
    job_id: String,
    holder: String,
    operation: TopologyOperation,
    limits: CopyLimits,
    progress: Mutex<OperationProgress>,
    /// Indexes already created on a destination during this run: `(index, node)`.
    prepared: Mutex<BTreeSet<(String, NodeId)>>,
    /// When the throttle lets the next page go.
    next_page_at: Mutex<Instant>,
}

impl<'a> OperationRun<'a> {
    /// A run of job `job_id` held by `holder`, resuming at `progress`.
    pub fn new(
        proxy: &'a Proxy,
        job_id: String,
        holder: String,
        operation: TopologyOperation,
        limits: CopyLimits,
        progress: OperationProgress,
    ) -> Self {
        Self {
            proxy,
            job_id,
            holder,
            operation,
            limits,
            progress: Mutex::new(progress),
            prepared: Mutex::new(BTreeSet::new()),
            next_page_at: Mutex::new(Instant::now()),
        }
    }

    /// Runs the remaining steps and completes the job. A topology change the state machine
    /// refuses (the cluster changed since the operation was accepted) fails the job.
    pub async fn run(&self) -> Result<(), RebalanceError> {
        match self.run_steps().await {
            Err(RebalanceError::TopologyRefused { command, rejection }) => {
                let error = format!("`{command}` was refused: {rejection}");
                tracing::error!(job = %self.job_id, %error, "topology operation failed");
                self.apply(CommandV1::Job(JobCommand::Fail {
                    id: self.job_id.clone(),
                    holder: self.holder.clone(),
                    error,
                }))
                .await
            }
            other => other,
        }
    }

    async fn run_steps(&self) -> Result<(), RebalanceError> {
        loop {
            let step = self.progress.lock().await.step;
            tracing::info!(job = %self.job_id, ?step, "topology operation step");
            let next = match step {
                Step::Start => {
                    self.start().await?;
                    // Also when resuming after a leader change: the previous leader may have
                    // applied the change and died before it settled.
                    if self.starts_with_a_change() {
                        self.settle().await;
                    }
                    Step::Copy
                }
                Step::Copy => {
                    self.copy_all().await?;
                    Step::Flip
                }
                Step::Flip => {
                    self.flip().await?;
                    if self.flips_ownership() {
                        self.settle().await;
                    }
                    Step::Cleanup
                }
                Step::Cleanup => {
                    self.cleanup_all().await?;
                    Step::Done
                }
                Step::Done => {
                    self.apply(CommandV1::Job(JobCommand::Complete {
                        id: self.job_id.clone(),
                        holder: self.holder.clone(),
                    }))
                    .await?;
                    tracing::info!(job = %self.job_id, "topology operation completed");
                    return Ok(());
                }
            };
            self.progress.lock().await.step = next;
            self.commit().await?;
        }
    }

    /// Whether the operation starts by changing the topology (then its start is settled).
    fn starts_with_a_change(&self) -> bool {
        !matches!(
            self.operation,
            TopologyOperation::RemoveNode { .. }
                | TopologyOperation::RehydrateNode { .. }
                | TopologyOperation::Repair
        )
    }

    /// Whether the operation flips shard ownership (then its flip is settled).
    fn flips_ownership(&self) -> bool {
        matches!(
            self.operation,
            TopologyOperation::AddNode { .. }
                | TopologyOperation::RemoveNode { .. }
                | TopologyOperation::AddGroup { .. }
        )
    }

    /// The topology change that starts the operation (skipped when already in effect).
    async fn start(&self) -> Result<(), RebalanceError> {
        let state = self.state().await;
        let mut commands = Vec::new();
        match &self.operation {
            TopologyOperation::AddNode { node } => {
                if node_state(&state, &node.id).is_none() {
                    commands.push(TopologyCommand::AddNode { node: node.clone() });
                }
            }
            TopologyOperation::DrainNode { node } => {
                if node_state(&state, node) == Some(NodeState::Active) {
                    commands.push(set_node(node, NodeState::Draining));
                }
            }
            TopologyOperation::AddGroup { group, nodes } => {
                if state.topology().group_state(*group).is_none() {
                    commands.push(TopologyCommand::AddGroup { group: *group });
                }
                for node in nodes {
                    if node_state(&state, &node.id).is_none() {
                        commands.push(TopologyCommand::AddNode { node: node.clone() });
                    }
                }
            }
            TopologyOperation::RemoveGroup { group } => {
                if state.topology().group_state(*group) != Some(GroupState::Removed) {
                    commands.push(TopologyCommand::RemoveGroup { group: *group });
                }
            }
            TopologyOperation::RemoveNode { .. }
            | TopologyOperation::RehydrateNode { .. }
            | TopologyOperation::Repair => {}
        }
        for command in commands {
            self.apply_topology(command).await?;
        }
        Ok(())
    }

    /// Plans the copies once (from the placement the start step produced), then runs them.
    async fn copy_all(&self) -> Result<(), RebalanceError> {
        let planned = {
            let progress = self.progress.lock().await;
            progress.copies_planned
        };
        if !planned {
            let copies = match &self.operation {
                TopologyOperation::AddNode { .. }
                | TopologyOperation::DrainNode { .. }
                | TopologyOperation::AddGroup { .. } => self.plan_copies().await?,
                TopologyOperation::RehydrateNode { node } => self.plan_rehydration(node).await?,
                TopologyOperation::Repair => self.plan_repair().await?,
                TopologyOperation::RemoveNode { .. } | TopologyOperation::RemoveGroup { .. } => {
                    Vec::new()
                }
            };
            tracing::info!(job = %self.job_id, copies = copies.len(), "shard copies planned");
            let mut progress = self.progress.lock().await;
            progress.copies = copies;
            progress.copies_planned = true;
            drop(progress);
            self.commit().await?;
        }
        let pending: Vec<usize> = {
            let progress = self.progress.lock().await;
            (0..progress.copies.len())
                .filter(|n| !progress.copies[*n].done)
                .collect()
        };
        self.run_bounded(pending, |n| self.copy_shard(n)).await
    }

    /// Every copy the current placement of every index needs.
    async fn plan_copies(&self) -> Result<Vec<CopyProgress>, RebalanceError> {
        self.plan_each_index(copy_plan).await
    }

    /// Every shard `node` owns, refilled from its other replicas.
    async fn plan_rehydration(&self, node: &NodeId) -> Result<Vec<CopyProgress>, RebalanceError> {
        self.plan_each_index(|placement, source_groups| {
            rehydrate_plan(placement, node, source_groups)
        })
        .await
    }

    /// Every shard of every data node, refilled from its other replicas where it holds fewer
    /// documents (the copy step compares counts before copying).
    async fn plan_repair(&self) -> Result<Vec<CopyProgress>, RebalanceError> {
        let nodes: Vec<NodeId> = self
            .state()
            .await
            .topology()
            .layout()
            .map(|layout| {
                layout
                    .nodes()
                    .filter(|node| node.state.holds_data())
                    .map(|node| node.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        self.plan_each_index(|placement, source_groups| {
            nodes
                .iter()
                .flat_map(|node| rehydrate_plan(placement, node, source_groups))
                .filter(|copy| !copy.sources.is_empty())
                .collect()
        })
        .await
    }

    /// `plan` applied to the placement of every index, with the active groups as sources.
    async fn plan_each_index(
        &self,
        plan: impl Fn(&PlacementTable, &[GroupId]) -> Vec<miroir_core::rebalance::ShardCopy>,
    ) -> Result<Vec<CopyProgress>, RebalanceError> {
        let state = self.state().await;
        let topology = layout(&state)?;
        let source_groups: Vec<GroupId> = state
            .topology()
            .groups()
            .filter(|(_, group_state)| *group_state == GroupState::Active)
            .map(|(group, _)| group)
            .collect();
        let mut copies = Vec::new();
        for index in copied_indexes(&state) {
            let placement = placement_of(&topology, index.shards)?;
            for copy in plan(&placement, &source_groups) {
                copies.push(CopyProgress {
                    index_uid: index.uid.clone(),
                    shard: copy.shard,
                    group: copy.group,
                    sources: copy.sources,
                    destinations: copy.destinations,
                    offset: 0,
                    total: None,
                    done: false,
                });
            }
        }
        Ok(copies)
    }

    /// Copies one shard page by page, then checks the destinations hold at least as many of
    /// its documents as the source (another pass from the start otherwise).
    async fn copy_shard(&self, n: usize) -> Result<(), RebalanceError> {
        let copy = self.progress.lock().await.copies[n].clone();
        let primary_key = self
            .state()
            .await
            .index(&copy.index_uid)
            .and_then(|index| index.primary_key.clone());
        let Some(primary_key) = primary_key.filter(|_| !copy.sources.is_empty()) else {
            // An index without a primary key holds no document; a shard nobody holds has
            // nothing to copy.
            return self.finish_copy(n).await;
        };
        let started = Instant::now();
        let mut passes = 0;
        if copy.offset == 0 {
            let source = self.reachable_source(&copy).await?;
            if self.destinations_caught_up(&copy, &source, 1).await {
                // Nothing is missing (a re-hydrated node that missed no write of this shard).
                return self.finish_copy(n).await;
            }
        }
        loop {
            let (source, page) = self.read_from_any_source(&copy, n).await?;
            if page.documents.is_empty() {
                passes += 1;
                if self
                    .destinations_caught_up(&copy, &source, COUNT_CHECKS)
                    .await
                    || passes >= COPY_PASSES
                {
                    self.proxy
                        .metrics()
                        .observe_shard_migration(started.elapsed());
                    return self.finish_copy(n).await;
                }
                tracing::warn!(index = %copy.index_uid, shard = copy.shard, pass = passes,
                    "destinations hold fewer documents than the source; copying the shard again");
                self.progress.lock().await.copies[n].offset = 0;
                continue;
            }
            for destination in &copy.destinations {
                self.prepare(&source, destination, &copy.index_uid, &primary_key)
                    .await;
            }
            let writes = copy.destinations.iter().map(|destination| {
                self.retry(destination, || {
                    shard_io::write_page(
                        self.proxy,
                        destination,
                        &copy.index_uid,
                        &primary_key,
                        &page.documents,
                    )
                })
            });
            futures::future::join_all(writes).await;
            let read = u64::try_from(page.documents.len()).unwrap_or(u64::MAX);
            let destinations = u64::try_from(copy.destinations.len()).unwrap_or(u64::MAX);
            {
                let mut progress = self.progress.lock().await;
                let entry = &mut progress.copies[n];
                entry.offset += read;
                entry.total = Some(page.total);
                progress.documents_copied += read * destinations;
                progress.waiting_for = None;
            }
            self.proxy
                .metrics()
                .observe_documents_migrated(read * destinations);
            self.commit().await?;
            self.throttle(read).await;
        }
    }

    /// The first source of `copy` that answers; waits (retrying) while none does.
    async fn reachable_source(&self, copy: &CopyProgress) -> Result<NodeId, RebalanceError> {
        loop {
            let mut last_error = None;
            for source in &copy.sources {
                match shard_io::shard_count(self.proxy, source, &copy.index_uid, copy.shard).await {
                    Ok(_) => return Ok(source.clone()),
                    Err(error) => last_error = Some(error),
                }
            }
            if let Some(error) = last_error {
                self.wait_after(&error).await?;
            }
        }
    }

    /// The next page of copy `n` from the first source that answers; waits (retrying) while
    /// none does.
    async fn read_from_any_source(
        &self,
        copy: &CopyProgress,
        n: usize,
    ) -> Result<(NodeId, shard_io::ShardPage), RebalanceError> {
        loop {
            let offset = self.progress.lock().await.copies[n].offset;
            let mut last_error = None;
            for source in &copy.sources {
                match shard_io::read_page(
                    self.proxy,
                    source,
                    &copy.index_uid,
                    copy.shard,
                    offset,
                    self.limits.batch_size,
                )
                .await
                {
                    Ok(page) => return Ok((source.clone(), page)),
                    Err(error) => last_error = Some(error),
                }
            }
            if let Some(error) = last_error {
                self.wait_after(&error).await?;
            }
        }
    }

    /// Waits as long as `rebalancer.throttle_docs_per_sec` asks after copying `documents`:
    /// the pages of all copies share one schedule.
    async fn throttle(&self, documents: u64) {
        let rate = self.limits.throttle_docs_per_sec;
        if rate == 0 {
            return;
        }
        // Page sizes and rates are far below 2^52: the conversions are exact.
        #[allow(clippy::cast_precision_loss)]
        let cost = Duration::from_secs_f64(documents as f64 / rate as f64);
        let release = {
            let mut next = self.next_page_at.lock().await;
            *next = (*next).max(Instant::now()) + cost;
            *next
        };
        tokio::time::sleep_until(release.into()).await;
    }

    /// Whether every destination holds at least the source's count of the shard, checked up
    /// to `checks` times while writes in flight land.
    async fn destinations_caught_up(
        &self,
        copy: &CopyProgress,
        source: &NodeId,
        checks: u32,
    ) -> bool {
        for check in 0..checks {
            if check > 0 {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            let source_count =
                shard_io::shard_count(self.proxy, source, &copy.index_uid, copy.shard).await;
            let mut caught_up = source_count.is_ok();
            for destination in &copy.destinations {
                let count =
                    shard_io::shard_count(self.proxy, destination, &copy.index_uid, copy.shard)
                        .await;
                caught_up &=
                    matches!((&source_count, count), (Ok(expected), Ok(held)) if held >= *expected);
            }
            if caught_up {
                return true;
            }
        }
        false
    }

    async fn finish_copy(&self, n: usize) -> Result<(), RebalanceError> {
        self.progress.lock().await.copies[n].done = true;
        self.commit().await
    }

    /// Creates the index with its settings on `destination` once per run (retrying while a
    /// node is unreachable).
    async fn prepare(&self, source: &NodeId, destination: &NodeId, index_uid: &str, pk: &str) {
        let key = (index_uid.to_owned(), destination.clone());
        if self.prepared.lock().await.contains(&key) {
            return;
        }
        self.retry(destination, || {
            shard_io::prepare_index(self.proxy, source, destination, index_uid, pk)
        })
        .await;
        self.prepared.lock().await.insert(key);
    }

    /// The ownership change (skipped when already in effect). The cleanup is planned and
    /// committed first, from the placements before and after the change.
    async fn flip(&self) -> Result<(), RebalanceError> {
        let state = self.state().await;
        let topology = layout(&state)?;
        let mut commands = Vec::new();
        let mut after = topology.clone();
        match &self.operation {
            TopologyOperation::AddNode { node } => {
                if node_state(&state, &node.id) == Some(NodeState::Joining) {
                    commands.push(set_node(&node.id, NodeState::Active));
                    transition(&mut after, &node.id, NodeState::Active)?;
                }
            }
            TopologyOperation::RemoveNode { node, .. } => {
                if matches!(
                    node_state(&state, node),
                    Some(NodeState::Draining | NodeState::Joining)
                ) {
                    commands.push(set_node(node, NodeState::Removed));
                    transition(&mut after, node, NodeState::Removed)?;
                }
            }
            TopologyOperation::AddGroup { group, nodes } => {
                for node in nodes {
                    if node_state(&state, &node.id) == Some(NodeState::Joining) {
                        commands.push(set_node(&node.id, NodeState::Active));
                    }
                }
                if state.topology().group_state(*group) == Some(GroupState::Initializing) {
                    commands.push(TopologyCommand::SetGroupState {
                        group: *group,
                        state: GroupState::Active,
                    });
                }
            }
            TopologyOperation::DrainNode { .. }
            | TopologyOperation::RemoveGroup { .. }
            | TopologyOperation::RehydrateNode { .. }
            | TopologyOperation::Repair => {}
        }
        let planned = self.progress.lock().await.cleanups_planned;
        if !planned {
            let mut cleanups = Vec::new();
            if matches!(
                self.operation,
                TopologyOperation::AddNode { .. } | TopologyOperation::RemoveNode { .. }
            ) {
                for index in copied_indexes(&state) {
                    let before = placement_of(&topology, index.shards)?;
                    let after = placement_of(&after, index.shards)?;
                    cleanups.extend(cleanup_plan(&before, &after).into_iter().map(|item| {
                        CleanupProgress {
                            index_uid: index.uid.clone(),
                            node: item.node,
                            shard: item.shard,
                            done: false,
                        }
                    }));
                }
            }
            let mut progress = self.progress.lock().await;
            progress.cleanups = cleanups;
            progress.cleanups_planned = true;
            drop(progress);
            self.commit().await?;
        }
        for command in commands {
            self.apply_topology(command).await?;
        }
        Ok(())
    }

    /// Deletes every planned shard copy, then (removing a node) checks it holds none.
    async fn cleanup_all(&self) -> Result<(), RebalanceError> {
        let pending: Vec<usize> = {
            let progress = self.progress.lock().await;
            (0..progress.cleanups.len())
                .filter(|n| !progress.cleanups[*n].done)
                .collect()
        };
        self.run_bounded(pending, |n| self.cleanup_one(n)).await
    }

    /// Runs `work` for every item of `pending`, `max_concurrent_migrations` at a time; the
    /// first error is returned once all finished.
    async fn run_bounded<F, Fut>(&self, pending: Vec<usize>, work: F) -> Result<(), RebalanceError>
    where
        F: Fn(usize) -> Fut,
        Fut: std::future::Future<Output = Result<(), RebalanceError>>,
    {
        let results: Vec<Result<(), RebalanceError>> = stream::iter(pending)
            .map(work)
            .buffer_unordered(self.limits.concurrency.max(1))
            .collect()
            .await;
        results.into_iter().collect()
    }

    async fn cleanup_one(&self, n: usize) -> Result<(), RebalanceError> {
        let item = self.progress.lock().await.cleanups[n].clone();
        let forced = matches!(
            &self.operation,
            TopologyOperation::RemoveNode { node, force: true } if *node == item.node
        );
        if forced {
            // The node may never come back: one attempt, and what it leaves is only logged.
            if let Err(error) =
                shard_io::delete_shard(self.proxy, &item.node, &item.index_uid, item.shard).await
            {
                tracing::warn!(node = %item.node, index = %item.index_uid, shard = item.shard,
                    %error, "forced removal: the node's copy of the shard was not deleted");
            }
            self.progress.lock().await.cleanups[n].done = true;
            return self.commit().await;
        }
        loop {
            self.retry(&item.node, || {
                shard_io::delete_shard(self.proxy, &item.node, &item.index_uid, item.shard)
            })
            .await;
            let left =
                shard_io::shard_count(self.proxy, &item.node, &item.index_uid, item.shard).await;
            match left {
                Ok(0) => break,
                Ok(left) => tracing::warn!(node = %item.node, index = %item.index_uid,
                    shard = item.shard, left, "documents left after a shard deletion; deleting again"),
                Err(error) => self.wait_after(&error).await?,
            }
        }
        self.progress.lock().await.cleanups[n].done = true;
        self.commit().await
    }

    /// Runs `step` until it succeeds, recording what the operation waits for meanwhile.
    async fn retry<F, Fut>(&self, node: &NodeId, mut step: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<(), ShardIoError>>,
    {
        loop {
            match step().await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%node, %error, job = %self.job_id, "rebalance step failed; retrying");
                    // A failed commit only loses the note; the step is retried anyway.
                    let _ = self.wait_after(&error).await;
                }
            }
        }
    }

    /// Records `error` as what the operation waits for, then pauses.
    async fn wait_after(&self, error: &ShardIoError) -> Result<(), RebalanceError> {
        let note = error.to_string();
        let changed = {
            let mut progress = self.progress.lock().await;
            let changed = progress.waiting_for.as_deref() != Some(note.as_str());
            progress.waiting_for = Some(note);
            changed
        };
        tokio::time::sleep(RETRY_PAUSE).await;
        if changed {
            self.commit().await?;
        }
        Ok(())
    }

    /// Waits until every member replicated what this leader applied, then for requests
    /// routed with the previous topology to run out.
    async fn settle(&self) {
        let peer = self.proxy.peer();
        let applied = peer.applied_index();
        let started = Instant::now();
        while started.elapsed() < REPLICATION_WAIT {
            match peer.members_behind(applied) {
                Some(behind) if !behind.is_empty() => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ => break,
            }
        }
        if let Some(behind) = peer.members_behind(applied).filter(|b| !b.is_empty()) {
            tracing::warn!(
                ?behind,
                "peers still behind the topology change; continuing"
            );
        }
        self.proxy.refresh_fleet().await;
        tokio::time::sleep(self.proxy.node_timeout()).await;
    }

    /// Commits the progress (and the documents copied as the job cursor).
    async fn commit(&self) -> Result<(), RebalanceError> {
        let (json, cursor) = {
            let progress = self.progress.lock().await;
            (
                serde_json::to_string(&*progress)
                    .map_err(|error| RebalanceError::Internal(error.to_string()))?,
                progress.documents_copied,
            )
        };
        self.apply(CommandV1::Job(JobCommand::Progress {
            id: self.job_id.clone(),
            holder: self.holder.clone(),
            cursor,
            progress_json: Some(json),
        }))
        .await
    }

    /// Commits a topology change; a rejection is [`RebalanceError::TopologyRefused`].
    async fn apply_topology(&self, command: TopologyCommand) -> Result<(), RebalanceError> {
        match self.apply(CommandV1::Topology(command)).await {
            Err(RebalanceError::Rejected { command, rejection }) => {
                Err(RebalanceError::TopologyRefused { command, rejection })
            }
            other => other,
        }
    }

    /// Commits `command`; a rejection ends the run.
    async fn apply(&self, command: CommandV1) -> Result<(), RebalanceError> {
        let described = command.to_string();
        match self
            .proxy
            .peer()
            .apply(miroir_meta::Command::V1(command))
            .await
        {
            Ok(Response::Rejected(rejection)) => Err(RebalanceError::Rejected {
                command: described,
                rejection: rejection.to_string(),
            }),
            Ok(_) => Ok(()),
            Err(error) => Err(RebalanceError::Metadata(error.to_string())),
        }
    }

    async fn state(&self) -> MetadataState {
        self.proxy.peer().read(Clone::clone).await
    }
}

fn set_node(node: &NodeId, state: NodeState) -> TopologyCommand {
    TopologyCommand::SetNodeState {
        node: node.clone(),
        state,
    }
}

fn node_state(state: &MetadataState, node: &NodeId) -> Option<NodeState> {
    state
        .topology()
        .layout()
        .and_then(|layout| layout.node(node))
        .map(|node| node.state)
}

fn layout(state: &MetadataState) -> Result<Topology, RebalanceError> {
    state
        .topology()
        .layout()
        .cloned()
        .ok_or_else(|| RebalanceError::Internal("the topology is not recorded".into()))
}

fn transition(
    topology: &mut Topology,
    node: &NodeId,
    next: NodeState,
) -> Result<(), RebalanceError> {
    topology
        .transition(node, next)
        .map_err(|error| RebalanceError::Internal(error.to_string()))
}

fn placement_of(topology: &Topology, shards: u32) -> Result<PlacementTable, RebalanceError> {
    let shards = std::num::NonZeroU32::new(shards)
        .ok_or_else(|| RebalanceError::Internal("an index has 0 shards".into()))?;
    let topology = topology
        .with_shards(shards)
        .map_err(|error| RebalanceError::Internal(error.to_string()))?;
    Ok(PlacementTable::build(&topology))
}

/// Indexes whose documents move: every index not being deleted.
fn copied_indexes(state: &MetadataState) -> Vec<IndexRecord> {
    state
        .indexes()
        .filter(|index| index.state != IndexState::Deleting)
        .cloned()
        .collect()
}
