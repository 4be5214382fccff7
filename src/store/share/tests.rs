//! Store-level specifications of sharing: the readiness rule and the
//! rollout on the virtual clock.

use super::*;
use crate::seed;
use crate::store::{Clock, Rng};

fn demo(settle_ms: i64) -> World {
    let texts = seed::read_source(&seed::Source::Demo).expect("demo seed");
    seed::build_world(&texts, Clock::frozen_at(1_700_000_000), Rng::new(1), settle_ms).expect("demo world")
}

fn checks(label: bool, vs: bool, proxy: bool, ready: bool) -> ShareEnvReady {
    let checks = ShareEnvReadyChecks {
        namespace_has_istio_label: label,
        virtualservice_deployed: vs,
        pods_have_istio_proxy: proxy,
        workloads_ready: ready,
        workloads_have_k8s_service: false,
    };
    ShareEnvReady { is_ready: false, checks }
}

fn ready(mut r: ShareEnvReady, op: ShareOp) -> bool {
    r.check_and_set_ready(op);
    r.is_ready
}

#[test]
fn the_rule_is_all_three_for_enable_none_for_disable_and_ready_workloads_always() {
    assert!(ready(checks(true, true, true, true), ShareOp::Enable));
    assert!(!ready(checks(true, true, true, false), ShareOp::Enable));
    assert!(!ready(checks(true, false, true, true), ShareOp::Enable));
    assert!(ready(checks(false, false, false, true), ShareOp::Disable));
    assert!(!ready(checks(false, true, false, true), ShareOp::Disable));
    assert!(!ready(checks(false, false, false, false), ShareOp::Disable));
    assert_eq!(ShareOp::parse("enable"), ShareOp::Enable);
    assert_eq!(ShareOp::parse("anything"), ShareOp::Disable);
}

fn advance(world: &mut World, ms: i64) {
    world.clock.advance_ms(ms);
    world.settle_due();
}

#[test]
fn enabling_rolls_out_over_the_settle_time() {
    let mut world = demo(3_000);
    world.enable_share("simple-demo", "dev").expect("enabled");
    let at = |w: &World| w.share_readiness("simple-demo", "dev", "enable").expect("env exists");

    let now = at(&world);
    assert_eq!(now.checks, checks(true, false, false, true).checks.with_k8s_service());
    advance(&mut world, 1_000);
    let restarted = at(&world);
    assert_eq!((restarted.checks.pods_have_istio_proxy, restarted.checks.workloads_ready), (true, false));
    advance(&mut world, 1_000);
    assert!(at(&world).checks.workloads_ready);
    assert!(!at(&world).is_ready);
    advance(&mut world, 1_000);
    assert!(at(&world).is_ready);
    assert!(world.env("simple-demo", "dev").is_some_and(|e| e.share.rollout.is_none()));
}

#[test]
fn without_settle_time_enabling_is_ready_at_once_and_disabling_too() {
    let mut world = demo(0);
    world.enable_share("simple-demo", "dev").expect("enabled");
    assert!(world.share_readiness("simple-demo", "dev", "enable").expect("env").is_ready);
    let pods = world.env("simple-demo", "dev").map(|e| e.pods().count());
    assert_eq!(pods, Some(2));
    world.disable_share("simple-demo", "dev").expect("disabled");
    assert!(world.share_readiness("simple-demo", "dev", "disable").expect("env").is_ready);
}

#[test]
fn pods_created_while_the_label_is_on_carry_the_sidecar() {
    let mut world = demo(0);
    world.enable_share("microservice-demo", "dev").expect("enabled");
    let workload = world
        .env("microservice-demo", "dev")
        .and_then(|e| e.service("frontend"))
        .map(|s| s.workloads[0].clone())
        .expect("frontend");
    assert_eq!(workload.sidecars.len(), 1);
    assert!(workload.pods.iter().all(|p| p.containers.iter().any(|c| c.name == ISTIO_PROXY)));
}

impl ShareEnvReadyChecks {
    fn with_k8s_service(mut self) -> Self {
        self.workloads_have_k8s_service = true;
        self
    }
}

#[test]
fn a_sleeping_environment_can_be_neither_enabled_nor_disabled() {
    let mut world = demo(0);
    if let Some(e) = world.env_mut("simple-demo", "dev") {
        e.status = crate::store::EnvStatus::Sleeping;
    }
    let sleeping = Err(ApiError::internal("Environment is sleeping"));
    assert_eq!(world.enable_share("simple-demo", "dev"), sleeping);
    assert_eq!(world.disable_share("simple-demo", "dev"), sleeping);
}
