//! `deploy/slurm/submit.sh` on a real Slurm cluster: a run split into an
//! array job of shards and merged by a dependent job gives the single
//! run's outputs. Skipped, with a message, where no Slurm cluster answers
//! (`deploy/slurm/local-cluster.sh` sets up a one-node cluster, as root, on
//! a Debian machine).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Why Slurm cannot run jobs here, if it cannot.
fn slurm_missing() -> Option<String> {
    match Command::new("sinfo").args(["-h", "-o", "%T"]).output() {
        Err(e) => Some(format!("no sinfo ({e})")),
        Ok(o) if !o.status.success() => {
            Some(format!("sinfo failed: {}", String::from_utf8_lossy(&o.stderr).trim()))
        }
        Ok(o) => {
            let states = String::from_utf8_lossy(&o.stdout).into_owned();
            let usable = states.lines().any(|s| ["idle", "mixed", "allocated"].contains(&s.trim()));
            (!usable).then(|| format!("no node ready (states: {})", states.trim().replace('\n', ", ")))
        }
    }
}

#[test]
fn a_run_sharded_on_slurm_and_merged_there_equals_the_single_run() {
    if let Some(why) = slurm_missing() {
        eprintln!("skipped: no Slurm cluster here: {why}; deploy/slurm/local-cluster.sh sets one up");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_mcstress");
    // Under the target directory: on a real cluster that is where the
    // repository is, which every node must see (node-local /tmp is not).
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mcstress-slurm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Named relative to the repository, where both commands run: the merge
    // must record it as the single run does.
    let small = "tests/data/small.toml";
    let single = dir.join("single");
    let status = Command::new(bin)
        .current_dir(root())
        .args(["--quiet", "run", small, "--paths", "12", "--out", single.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));

    let cluster = dir.join("cluster");
    let submitted = Command::new("timeout")
        .current_dir(root())
        .arg("600")
        .arg("bash")
        .arg(root().join("deploy/slurm/submit.sh"))
        .args(["3", cluster.to_str().unwrap(), "run", small, "--paths", "12"])
        .env("MCSTRESS", bin)
        .env("WAIT", "1")
        .output()
        .unwrap();
    let logs = std::fs::read_dir(cluster.join("logs"))
        .map(|d| {
            d.flatten()
                .map(|e| {
                    format!(
                        "{}:\n{}",
                        e.path().display(),
                        std::fs::read_to_string(e.path()).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    assert!(
        submitted.status.success(),
        "{}\n{}\n{logs}",
        String::from_utf8_lossy(&submitted.stdout),
        String::from_utf8_lossy(&submitted.stderr)
    );
    for k in 0..3 {
        assert!(cluster.join(format!("shards/{k}/shard.json")).is_file(), "shard {k}: {logs}");
    }
    let merged = cluster.join("merged");
    for name in ["summary.json", "monthly.csv", "counties.csv", "paths.csv", "townships.csv"] {
        let a = std::fs::read(single.join(name)).unwrap();
        let b = std::fs::read(merged.join(name)).unwrap_or_default();
        assert!(a == b, "{name} differs between the single run and the merge on Slurm");
    }
    let run = |d: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("run.json")).unwrap()).unwrap();
        for k in ["date", "threads", "elapsed_seconds"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    assert_eq!(run(&single), run(&merged));
    let _ = std::fs::remove_dir_all(&dir);
}
