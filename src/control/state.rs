//! Reading a world back in (`PUT /_mock/state`, `--state-file`): the JSON of
//! `GET /_mock/state`, checked before anything is replaced, so a bad
//! document changes nothing.

use crate::store::World;

/// Parses and checks an exported world.
pub fn parse_world(bytes: &[u8]) -> Result<World, String> {
    let world: World = serde_json::from_slice(bytes).map_err(|e| format!("not a zadig-mock world: {e}"))?;
    check(&world)?;
    Ok(world)
}

/// The consistency an export always has: the clock shows a time it can
/// show, every project and environment is filed under its own key, and
/// environments run services of their project.
pub fn check(world: &World) -> Result<(), String> {
    if !(0..=super::clock::LATEST).contains(&world.now()) {
        return Err(format!("the clock stands at {}, outside Unix seconds 0 to {}", world.now(), super::clock::LATEST));
    }
    for (key, project) in &world.projects {
        if key.is_empty() || *key != project.key {
            return Err(format!("project {key:?} is filed under another key ({:?})", project.key));
        }
        for (i, template) in project.services.iter().enumerate() {
            if project.services[..i].iter().any(|t| t.name == template.name) {
                return Err(format!("project {key:?} declares service {:?} twice", template.name));
            }
        }
        for (name, env) in &project.envs {
            if name.is_empty() || *name != env.name {
                return Err(format!("environment {name:?} of project {key:?} is filed under another name"));
            }
            if let Some(service) = env.services.iter().find(|s| project.template(&s.name).is_none()) {
                return Err(format!(
                    "environment {name:?} of project {key:?} runs {:?}, which is not a service of the project",
                    service.name
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Clock, Rng};

    fn demo() -> World {
        let texts = crate::seed::read_source(&crate::seed::Source::Demo).unwrap();
        crate::seed::build_world(&texts, Clock::frozen_at(1_700_000_000), Rng::new(1), 0).unwrap()
    }

    #[test]
    fn an_export_reads_back_as_the_same_world() {
        let world = demo();
        let bytes = serde_json::to_vec(&world).unwrap();
        assert_eq!(serde_json::to_vec(&parse_world(&bytes).unwrap()).unwrap(), bytes);
    }

    #[test]
    fn a_document_that_is_not_a_world_is_refused() {
        assert!(parse_world(b"{\"projects\": 3}").unwrap_err().starts_with("not a zadig-mock world"));
        assert!(parse_world(b"[]").is_err());
    }

    #[test]
    fn a_clock_beyond_what_it_can_show_is_refused() {
        let mut world = serde_json::to_value(demo()).unwrap();
        world["clock"]["frozen_at_ms"] = serde_json::json!(i64::MAX);
        let bytes = serde_json::to_vec(&world).unwrap();
        assert!(parse_world(&bytes).unwrap_err().contains("the clock stands at"));
    }

    #[test]
    fn an_environment_filed_under_another_name_is_refused() {
        let mut world = demo();
        let project = world.projects.values_mut().next().unwrap();
        let (_, env) = project.envs.pop().unwrap();
        project.envs.insert("elsewhere".into(), env);
        assert!(check(&world).unwrap_err().contains("filed under another name"));
    }
}
