//! Store-level specifications of container logs.

use super::*;
use crate::seed;
use crate::store::{Clock, Rng};

fn demo() -> World {
    let texts = seed::read_source(&seed::Source::Demo).expect("demo seed");
    seed::build_world(&texts, Clock::frozen_at(1_700_000_000), Rng::new(1), 0).expect("demo world")
}

fn first_pod(world: &World, project: &str, env: &str) -> String {
    world.env(project, env).and_then(|e| e.pods().next().map(|(_, _, p)| p.name.to_string())).expect("a pod")
}

fn line(at_ms: i64, seq: u64) -> LogLine {
    LogLine { seq, at_ms, text: format!("w{seq}") }
}

#[test]
fn a_line_exists_exactly_from_its_time_on() {
    let timeline = Timeline { start_ms: 10_000, period_us: Some(250_000) };
    for i in 0..20 {
        let at = timeline.time_of(i);
        assert_eq!(timeline.count_at(at), i + 1, "line {i} at {at}");
        assert_eq!(timeline.count_at(at - 1), i, "just before line {i}");
    }
    assert_eq!(timeline.count_at(9_999), 0);
}

#[test]
fn without_a_rate_nothing_is_generated() {
    let timeline = Timeline { start_ms: 0, period_us: None };
    assert_eq!(timeline.count_at(1_000_000), 0);
}

#[test]
fn the_tail_takes_the_last_lines_across_generated_and_written() {
    // Generated lines at 0, 1000, 2000, 3000; written lines at 1000 and 2500.
    let timeline = Timeline { start_ms: 0, period_us: Some(1_000_000) };
    let written = [line(1_000, 7), line(2_500, 8)];
    // The last three: written@2500, generated@3000 … and generated@2000.
    assert_eq!(tail_start(&timeline, 4, &written, 3), (2, 8));
    // A written line sorts after the generated line of its instant.
    assert_eq!(tail_start(&timeline, 4, &written, 5), (1, 7));
    assert_eq!(tail_start(&timeline, 4, &written, 0), (0, 7));
    assert_eq!(tail_start(&timeline, 4, &written, 100), (0, 7));
    assert_eq!(tail_start(&timeline, 4, &written, 1), (3, 9));
}

#[test]
fn generated_lines_are_deterministic_and_look_like_logs() {
    let world = demo();
    let pod = first_pod(&world, "simple-demo", "dev");
    let (source, _) = world.log_source("simple-demo", "dev", &pod, "service1").expect("running container");
    let again = demo().log_source("simple-demo", "dev", &pod, "service1").expect("same container").0;
    let first = source.profile.line(0, source.start_ms);
    assert_eq!(first, "2023-11-14T22:13:21.000Z INFO starting service1 20231214162411");
    for i in 0..50 {
        let at = source.start_ms + i as i64 * 1000;
        let text = source.profile.line(i, at);
        assert_eq!(text, again.profile.line(i, at));
        assert_eq!(text.trim(), text, "no surrounding white space");
        assert!(text.starts_with("2023-11-14T22:"), "{text}");
    }
}

#[test]
fn a_container_that_has_not_started_has_no_log() {
    let mut world = demo();
    let pod = first_pod(&world, "simple-demo", "dev");
    if let Some(e) = world.env_mut("simple-demo", "dev") {
        e.services[0].workloads[0].pods[0].phase = "Pending".into();
    }
    assert!(world.log_source("simple-demo", "dev", &pod, "service1").is_none());
    assert!(world.log_source("simple-demo", "dev", &pod, "nope").is_none());
    assert!(world.log_source("simple-demo", "nope", &pod, "service1").is_none());
}

#[test]
fn empty_project_and_env_match_the_first_environment_like_mongo() {
    let world = demo();
    let pod = first_pod(&world, "simple-demo", "dev");
    assert!(world.log_source("", "", &pod, "service1").is_some());
    assert!(world.log_source("", "dev", &pod, "service1").is_some());
}

#[test]
fn written_text_is_split_at_newlines_and_numbered() {
    let mut world = demo();
    let pod = first_pod(&world, "simple-demo", "dev");
    let lines = vec!["one".to_string(), "two\nthree".to_string()];
    assert_eq!(world.append_log("", "", &pod, "service1", &lines), Ok(3));
    let (source, written) = world.log_source("simple-demo", "dev", &pod, "service1").expect("log");
    let texts: Vec<(u64, &str)> = written.iter().map(|l| (l.seq, l.text.as_str())).collect();
    assert_eq!(texts, [(0, "one"), (1, "two"), (2, "three")]);
    assert_eq!(world.written_log(&source.id).map(<[LogLine]>::len), Some(3));
}

#[test]
fn a_full_log_drops_its_oldest_written_lines() {
    let mut world = demo();
    let pod = first_pod(&world, "simple-demo", "dev");
    let lines: Vec<String> = (0..MAX_WRITTEN_LINES + 5).map(|i| i.to_string()).collect();
    world.append_log("simple-demo", "dev", &pod, "service1", &lines).expect("written");
    let (_, written) = world.log_source("simple-demo", "dev", &pod, "service1").expect("log");
    assert_eq!(written.len(), MAX_WRITTEN_LINES);
    assert_eq!(written[0].seq, 5);
}

#[test]
fn writing_names_what_is_missing_or_ambiguous() {
    let mut world = demo();
    let lines = vec!["x".to_string()];
    let missing = world.append_log("", "", "no-such-pod", "c", &lines).unwrap_err();
    assert_eq!(missing, AppendError::NotFound("no pod named \"no-such-pod\"".into()));
    // redis-0 runs in microservice-demo's dev and staging.
    let ambiguous = world.append_log("", "", "redis-0", "redis", &lines).unwrap_err();
    assert!(
        matches!(ambiguous, AppendError::Ambiguous(ref m) if m.contains("microservice-demo/dev, microservice-demo/staging")),
        "{ambiguous:?}"
    );
    assert_eq!(world.append_log("microservice-demo", "staging", "redis-0", "redis", &lines), Ok(1));
    let no_container = world.append_log("microservice-demo", "dev", "redis-0", "nginx", &lines).unwrap_err();
    assert_eq!(no_container, AppendError::NotFound("pod \"redis-0\" has no container \"nginx\" (it has redis)".into()));
}

#[test]
fn a_pod_re_created_under_its_name_is_another_instance() {
    let mut world = demo();
    let (source, _) = world.log_source("microservice-demo", "dev", "redis-0", "redis").expect("redis runs");
    world.enable_share("microservice-demo", "dev").expect("enabled");
    assert!(world.written_log(&source.id).is_none(), "the old redis-0 is gone");
    let (renewed, _) = world.log_source("microservice-demo", "dev", "redis-0", "redis").expect("a new redis-0");
    assert_ne!(renewed.id, source.id);
}
