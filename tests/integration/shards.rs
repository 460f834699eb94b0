//! `--shard K/N` and `mcstress merge`: the shards of a command, merged,
//! give exactly the outputs of the command run on one machine.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{cli, scratch, small_text, write};

/// Every file of `single` is in `merged` with the same bytes, and no more;
/// in run.json only the fields recording the machine and the moment may
/// differ.
fn assert_same_outputs(single: &Path, merged: &Path) {
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(single), names(merged));
    for name in names(single) {
        let a = std::fs::read(single.join(&name)).unwrap();
        let b = std::fs::read(merged.join(&name)).unwrap();
        if name == "run.json" {
            let strip = |bytes: &[u8]| {
                let mut v: Value = serde_json::from_slice(bytes).unwrap();
                for k in ["date", "threads", "elapsed_seconds"] {
                    v.as_object_mut().unwrap().remove(k);
                }
                v
            };
            assert_eq!(strip(&a), strip(&b), "run.json");
        } else {
            assert!(a == b, "{name} differs between the single run and the merged shards");
        }
    }
}

/// Runs `args` once whole into `dir/single`, and as `n` shards merged
/// (given to merge in reverse order) into `dir/merged`; returns the
/// standard outputs of the single run and of the merge.
fn single_and_merged(dir: &Path, args: &[&str], n: u32) -> (String, String) {
    let single = dir.join("single");
    let mut all = args.to_vec();
    let s = single.display().to_string();
    all.extend(["--out", s.as_str()]);
    let (code, out_single, err) = cli(&all);
    assert_eq!(code, 0, "{err}");
    let mut shards: Vec<PathBuf> = Vec::new();
    for k in 0..n {
        let d = dir.join(format!("shard-{k}"));
        let spec = format!("{k}/{n}");
        let ds = d.display().to_string();
        let mut all = args.to_vec();
        all.extend(["--shard", spec.as_str(), "--out", ds.as_str()]);
        let (code, out, err) = cli(&all);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, "", "a shard prints no result");
        assert!(err.contains(&format!("shard {k}/{n}")), "{err}");
        assert!(d.join("shard.json").is_file());
        shards.push(d);
    }
    let merged = dir.join("merged");
    let mut all = vec!["merge".to_string()];
    all.extend(shards.iter().rev().map(|d| d.display().to_string()));
    all.extend(["--out".to_string(), merged.display().to_string()]);
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let (code, out_merged, err) = cli(&refs);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("merged {n} shards")), "{err}");
    assert_same_outputs(&single, &merged);
    (out_single, out_merged)
}

#[test]
fn merged_shards_of_a_run_equal_the_single_run_byte_for_byte() {
    // 1,030 paths: the monthly bands pass from exact values to their
    // quantile summary, and the township rates stop at path 1,000, inside
    // the last shard.
    let d = scratch("shards-run");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let (a, b) = single_and_merged(&d, &["run", &f, "--paths", "1030", "--seed", "5"], 3);
    assert_eq!(a, b, "the merge prints the run's table");
    let paths = std::fs::read_to_string(d.join("merged/paths.csv")).unwrap();
    assert_eq!(paths.lines().count(), 1031);
}

#[test]
fn merged_shards_of_a_compare_a_stress_and_a_sweep_equal_their_single_runs() {
    let d = scratch("shards-others");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let rev = write(&d, "rev.toml", &small_text().replace("fund_share = 0.7", "fund_share = 0.5"));
    let rev2 = write(&d, "rev2.toml", &small_text().replace("fund_share = 0.7", "fund_share = 0.9"));
    // Between the two revisions of how losses are shared (which a shard
    // simulates on the base's loans, as the single compare does), one of
    // what the loans read (simulated on its own).
    let uptake =
        write(&d, "uptake.toml", &small_text().replace("uptake_monthly = 0.01", "uptake_monthly = 0.02"));
    let (rev, rev2, uptake) =
        (rev.display().to_string(), rev2.display().to_string(), uptake.display().to_string());
    let (a, b) = single_and_merged(
        &d.join("compare"),
        &["compare", &f, &rev, &uptake, &rev2, "--paths", "9", "--json"],
        2,
    );
    assert_eq!(a, b);
    let (a, b) = single_and_merged(
        &d.join("stress"),
        &["stress", &f, "--shock", "drought:2", "--paths", "10", "--set", "scenario.seed=9"],
        4,
    );
    assert_eq!(a, b);
    // Some counties alone: the shards' command line carries the selection.
    let (a, b) = single_and_merged(
        &d.join("stress-counties"),
        &["stress", &f, "--shock", "drought:2", "--paths", "6", "--counties", "530621,530828"],
        2,
    );
    assert_eq!(a, b);
    let (a, b) = single_and_merged(
        &d.join("sweep"),
        &["sweep", &f, "--set", "rules.compensation.fund_share=0.5:0.9:0.2", "--paths", "7"],
        3,
    );
    assert_eq!(a, b);
}

/// Four shards of a 8-path run of the small scenario in `d`; their
/// directories.
fn four_shards(d: &Path) -> Vec<String> {
    let f = write(d, "small.toml", &small_text()).display().to_string();
    (0..4)
        .map(|k| {
            let dir = d.join(format!("s{k}")).display().to_string();
            let spec = format!("{k}/4");
            let (code, _, err) = cli(&["run", &f, "--paths", "8", "--shard", &spec, "--out", &dir]);
            assert_eq!(code, 0, "{err}");
            dir
        })
        .collect()
}

fn merge(dirs: &[&str], out: &Path) -> (u8, String) {
    let o = out.display().to_string();
    let mut all = vec!["merge"];
    all.extend_from_slice(dirs);
    all.extend(["--out", o.as_str()]);
    let (code, _, err) = cli(&all);
    (code, err)
}

#[test]
fn a_merge_refuses_missing_repeated_foreign_and_damaged_shards_and_writes_nothing() {
    let d = scratch("shards-bad");
    let s = four_shards(&d);
    let out = d.join("merged");
    let (code, err) = merge(&[&s[0], &s[1], &s[3]], &out);
    assert_eq!(code, 2);
    assert!(err.contains("3 of 4 shards given: missing shard 2"), "{err}");
    let (code, err) = merge(&[&s[0], &s[1], &s[1], &s[2], &s[3]], &out);
    assert_eq!(code, 2);
    assert!(err.contains("are both shard 1/4"), "{err}");

    // A shard of another command.
    let f = d.join("small.toml").display().to_string();
    let other = d.join("other").display().to_string();
    let (code, _, err) = cli(&["run", &f, "--paths", "8", "--seed", "2", "--shard", "2/4", "--out", &other]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = merge(&[&s[0], &s[1], &other, &s[3]], &out);
    assert_eq!(code, 2);
    assert!(err.contains("shards of different commands: command line"), "{err}");

    // A shard that did not finish, and one whose paths were cut short.
    std::fs::rename(Path::new(&s[2]).join("shard.json"), d.join("kept.json")).unwrap();
    let (code, err) = merge(&[&s[0], &s[1], &s[2], &s[3]], &out);
    assert_eq!(code, 2);
    assert!(err.contains("not a complete shard directory (no shard.json)"), "{err}");
    std::fs::rename(d.join("kept.json"), Path::new(&s[2]).join("shard.json")).unwrap();
    let bin = Path::new(&s[2]).join("paths-0.bin");
    let bytes = std::fs::read(&bin).unwrap();
    std::fs::write(&bin, &bytes[..bytes.len() - 100]).unwrap();
    let (code, err) = merge(&[&s[0], &s[1], &s[2], &s[3]], &out);
    assert_eq!(code, 2);
    assert!(err.contains("paths-0.bin:") && err.contains("the manifest records"), "{err}");
    assert!(err.contains("run the shard again"), "{err}");
    // One flipped byte: the same length, another hash.
    let mut flipped = bytes.clone();
    let at = flipped.len() - 1;
    flipped[at] ^= 1;
    std::fs::write(&bin, &flipped).unwrap();
    let (code, err) = merge(&[&s[0], &s[1], &s[2], &s[3]], &out);
    assert_eq!(code, 2);
    assert!(err.contains("paths-0.bin") && err.contains("run the shard again"), "{err}");
    std::fs::write(&bin, &bytes).unwrap();

    // The scenario changed since the shards ran.
    write(&d, "small.toml", &small_text().replace("fund_share = 0.7", "fund_share = 0.6"));
    let (code, err) = merge(&[&s[0], &s[1], &s[2], &s[3]], &out);
    assert_eq!(code, 2);
    assert!(err.contains("the scenario changed since the shards ran"), "{err}");
    assert!(!out.join("run.json").exists(), "no output passed off as complete");

    // Restored, the same shards merge.
    write(&d, "small.toml", &small_text());
    let (code, err) = merge(&[&s[0], &s[1], &s[2], &s[3]], &out);
    assert_eq!(code, 0, "{err}");
    assert!(out.join("run.json").is_file());
    // Never into a shard directory.
    let (code, err) = merge(&[&s[0], &s[1], &s[2], &s[3]], Path::new(&s[1]));
    assert_eq!(code, 2);
    assert!(err.contains("that is a shard directory"), "{err}");
}

#[test]
fn a_shard_needs_an_output_directory_a_fixed_path_count_and_no_more_shards_than_paths() {
    let d = scratch("shards-args");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let o = d.join("o").display().to_string();
    let (code, _, err) = cli(&["run", &f, "--shard", "0/2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--out"), "{err}");
    let (code, _, err) = cli(&["run", &f, "--shard", "0/2", "--target-se", "0.01", "--out", &o]);
    assert_eq!(code, 2);
    assert!(err.contains("--target-se"), "{err}");
    let (code, _, err) = cli(&["run", &f, "--shard", "2/2", "--out", &o]);
    assert_eq!(code, 2);
    assert!(err.contains("expected K from 0 to 1"), "{err}");
    let (code, _, err) = cli(&["stress", &f, "--paths", "3", "--shard", "0/4", "--out", &o]);
    assert_eq!(code, 2);
    assert!(err.contains("more shards than the 3 paths"), "{err}");
    let (code, _, err) = cli(&["merge", &o, "--out", &d.join("m").display().to_string()]);
    assert_eq!(code, 2);
    assert!(err.contains("not a complete shard directory"), "{err}");
}

#[test]
fn the_kubernetes_shard_command_runs_and_agrees_with_the_job_s_completions() {
    let root = crate::support::root();
    let yaml = std::fs::read_to_string(root.join("deploy/k8s/shards-job.yaml")).unwrap();
    let completions: u32 = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("completions:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("shards-job.yaml sets completions");
    let parallelism = yaml.lines().find_map(|l| l.trim().strip_prefix("parallelism:")).map(str::trim);
    assert_eq!(parallelism, Some(completions.to_string().as_str()));
    // The pod's command: the folded lines after `exec mcstress`.
    let start = yaml.find("exec mcstress").expect("the pod runs mcstress") + "exec mcstress".len();
    let rest = &yaml[start..];
    let end = rest.find("volumeMounts").unwrap();
    let line: String = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(line.contains(&format!("--shard \"$JOB_COMPLETION_INDEX/{completions}\"")), "{line}");
    // Shard 0 of it, one path each (the command's own scenario, from the
    // repository as the pod's /data would hold it).
    let d = scratch("shards-k8s");
    let out = d.join("shard-0").display().to_string();
    let paths = completions.to_string();
    let args: Vec<String> =
        line.split(' ').map(|w| w.trim_matches('"').replace("$JOB_COMPLETION_INDEX", "0")).collect();
    let mut run: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--paths" => {
                it.next();
                run.extend(["--paths".to_string(), paths.clone()]);
            }
            "--out" => {
                it.next();
                run.extend(["--out".to_string(), out.clone()]);
            }
            a if a.ends_with(".toml") => run.push(root.join(a).display().to_string()),
            a => run.push(a.to_string()),
        }
    }
    let refs: Vec<&str> = run.iter().map(String::as_str).collect();
    let (code, _, err) = cli(&refs);
    assert_eq!(code, 0, "{refs:?}: {err}");
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("shard-0/shard.json")).unwrap()).unwrap();
    assert_eq!(m["shards"], completions);
    assert_eq!((m["first_path"].as_u64(), m["end_path"].as_u64()), (Some(0), Some(1)));
}
