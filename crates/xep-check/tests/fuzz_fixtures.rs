//! Replays the inputs that crashed an element or stream fuzz target once,
//! kept under `fixtures/<crate>/fuzz/<target>/` (see fixtures/README.md),
//! through the target's property with the target's registry
//! (`xep_check::fuzz::run_target`). The state-machine and converter
//! targets' fixtures are replayed by their crates' own tests.

use std::path::Path;

#[test]
fn element_and_stream_crash_fixtures_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut replayed = 0;
    for krate in std::fs::read_dir(&root).expect("fixtures dir").flatten() {
        for target in std::fs::read_dir(krate.path().join("fuzz"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = target.file_name().to_string_lossy().into_owned();
            if xep_check::fuzz::target_registry(&name).is_none() {
                continue;
            }
            let mut files: Vec<_> = std::fs::read_dir(target.path())
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
                .collect();
            files.sort();
            for f in files {
                eprintln!("replaying {}", f.display());
                assert!(xep_check::fuzz::run_target(
                    &name,
                    &std::fs::read(&f).unwrap()
                ));
                replayed += 1;
            }
        }
    }
    eprintln!("{replayed} element and stream crash fixtures replayed");
}
