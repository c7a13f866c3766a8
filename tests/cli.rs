//! End-to-end tests of the `chatwire` command-line tool: every subcommand's
//! output and exit status, the error line format, standard input and files,
//! each framing, and the parallel decoder against the single-threaded one.
#![cfg(feature = "cli")]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use chatwire::workload::{self, Workload};
use predicates::prelude::*;
use tempfile::TempDir;

fn chatwire() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chatwire"))
}

/// Writes `bytes` to `name` in `dir`; returns the path as a string.
fn file(dir: &TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// The canonical form of each line of `ndjson` (all good), one per line.
fn canonical_lines(ndjson: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in ndjson
        .split(|&b| b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
    {
        chatwire::from_slice(line).unwrap().write_to_vec(&mut out);
        out.push(b'\n');
    }
    out
}

/// Runs `chatwire ARGS` and returns (status, stdout, stderr).
fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let output = chatwire().args(args).output().unwrap();
    (
        output.status.code().unwrap(),
        output.stdout,
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Events in arbitrary shapes: escapes, numeric ids, extra fields, the
/// `"event"` key last, whitespace, an unknown kind.
const GOOD: &str = concat!(
    r#"{"msg_id":"4f1c2a:7","event":"chat_session_message","msg":"caf\u00e9 \"ok\" \u003c/b\u003e","party_id":"p1"}"#,
    "\n",
    r#"{ "event" : "chat_session_typing" }"#,
    "\r\n",
    "\n",
    r#"{"event":"chat_session_form_data","form_request_id":12,"form_name":"survey","data":{"param1": "value1", "n": [1, 2.5e3]}}"#,
    "\n",
    r#"{"event":"chat_session_file","msg_id":"9","file_type":"image","file_id":"f-1","timestamp":1734018933270}"#,
    "\n",
    r#"{"event":"chat_session_cobrowsing_requested","msg_id":"4f1c2a:7",  "at": [1, {"x" : null}]}"#,
    "\n",
);

const GOOD_CANONICAL: &str = concat!(
    r#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"café \"ok\" </b>"}"#,
    "\n",
    r#"{"event":"chat_session_typing"}"#,
    "\n",
    r#"{"event":"chat_session_form_data","form_request_id":12,"form_name":"survey","data":{"param1":"value1","n":[1,2.5e3]}}"#,
    "\n",
    r#"{"event":"chat_session_file","msg_id":"9","file_type":"image","file_id":"f-1"}"#,
    "\n",
    r#"{"event":"chat_session_cobrowsing_requested","msg_id":"4f1c2a:7","at":[1,{"x":null}]}"#,
    "\n",
);

/// Two good events around three bad lines.
const MIXED: &str = concat!(
    r#"{"event":"chat_session_typing"}"#,
    "\n",
    r#"{"event":"chat_session_message","msg":"hi"}"#,
    "\n",
    r#"{"event":"chat_session_file","msg_id":"9","file_type":"video","file_id":"f-1"}"#,
    "\n",
    "not json\n",
    r#"{"event":"chat_session_end"}"#,
    "\n",
    r#"{"event":"chat_session_typing""#,
);

const MIXED_ERRORS: [&str; 4] = [
    "2:43: byte 74: invalid event: missing field `msg_id` in line 2",
    "3:55: byte 130: invalid event: invalid `file_type`: expected \"image\" or \"attachment\" in line 3",
    "4:1: byte 155: invalid event: expected a JSON object in line 4",
    "6:31: byte 223: input ends inside the event in line 6",
];

fn error_lines(name: &str, errors: &[&str]) -> String {
    errors.iter().map(|e| format!("{name}:{e}\n")).collect()
}

// ---- decode ---------------------------------------------------------------

#[test]
fn help_lists_every_subcommand_and_the_exit_statuses() {
    chatwire().arg("--help").assert().success().stdout(
        predicate::str::contains("decode")
            .and(predicate::str::contains("check"))
            .and(predicate::str::contains("stats"))
            .and(predicate::str::contains("gen"))
            .and(predicate::str::contains("bench"))
            .and(predicate::str::contains("Exit status")),
    );
    chatwire()
        .args(["decode", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "FILE:LINE:COLUMN: byte OFFSET: MESSAGE",
        ));
}

#[test]
fn decode_writes_canonical_events_from_a_file() {
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "good.ndjson", GOOD.as_bytes());
    chatwire()
        .args(["decode", &path])
        .assert()
        .code(0)
        .stdout(GOOD_CANONICAL)
        .stderr("");
    assert_eq!(canonical_lines(GOOD.as_bytes()), GOOD_CANONICAL.as_bytes());
}

#[test]
fn decode_reads_standard_input_with_or_without_a_dash() {
    chatwire()
        .args(["decode", "-"])
        .write_stdin(GOOD)
        .assert()
        .code(0)
        .stdout(GOOD_CANONICAL)
        .stderr("");
    chatwire()
        .arg("decode")
        .write_stdin(GOOD)
        .assert()
        .code(0)
        .stdout(GOOD_CANONICAL);
}

#[test]
fn decode_reads_a_file_that_cannot_be_mapped_as_a_stream() {
    // A pipe behind a path.
    chatwire()
        .args(["decode", "/dev/stdin"])
        .write_stdin(MIXED)
        .assert()
        .code(1)
        .stdout(concat!(
            r#"{"event":"chat_session_typing"}"#,
            "\n",
            r#"{"event":"chat_session_end"}"#,
            "\n"
        ))
        .stderr(error_lines("/dev/stdin", &MIXED_ERRORS));
}

#[test]
fn decode_reports_each_bad_event_on_stderr_and_goes_on() {
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "mixed.ndjson", MIXED.as_bytes());
    let expected_out = concat!(
        r#"{"event":"chat_session_typing"}"#,
        "\n",
        r#"{"event":"chat_session_end"}"#,
        "\n"
    );
    chatwire()
        .args(["decode", &path])
        .assert()
        .code(1)
        .stdout(expected_out)
        .stderr(error_lines(&path, &MIXED_ERRORS));
    // Standard input: the same lines, named `-`.
    chatwire()
        .arg("decode")
        .write_stdin(MIXED)
        .assert()
        .code(1)
        .stdout(expected_out)
        .stderr(error_lines("-", &MIXED_ERRORS));
}

#[test]
fn decode_error_positions_match_the_library() {
    let input = MIXED.as_bytes();
    let errors: Vec<String> = chatwire::stream::events(input)
        .filter_map(Result::err)
        .map(|e| {
            format!(
                "-:{}:{}: byte {}: {} in {}\n",
                e.line(),
                e.column(),
                e.offset(),
                e.kind(),
                e.unit()
            )
        })
        .collect();
    chatwire()
        .arg("decode")
        .write_stdin(MIXED)
        .assert()
        .stderr(errors.concat());
}

#[test]
fn decode_each_framing_detected_or_given() {
    let typing = r#"{"event":"chat_session_typing"}"#;
    let end = r#"{"event":"chat_session_end"}"#;
    let expected = format!("{typing}\n{end}\n");
    let envelope = format!("{{\"events\":[{typing},\n  {end}]}}");
    let concat = format!("{typing}{end}");
    let pretty = "{\n  \"event\": \"chat_session_typing\"\n}\n{\"event\":\"chat_session_end\"}";
    let ndjson = format!("{typing}\n{end}\n");
    let dir = TempDir::new().unwrap();
    for (name, input, framing) in [
        ("ndjson", ndjson.as_str(), "ndjson"),
        ("envelope", envelope.as_str(), "envelope"),
        ("concat", concat.as_str(), "concat"),
        ("pretty", pretty, "concat"),
    ] {
        let path = file(&dir, name, input.as_bytes());
        for args in [
            vec!["decode", path.as_str()],
            vec!["decode", "--framing", framing, path.as_str()],
            vec!["decode", "--framing", framing],
            vec!["decode"],
        ] {
            chatwire()
                .args(&args)
                .write_stdin(input)
                .assert()
                .code(0)
                .stdout(expected.clone())
                .stderr("");
        }
    }
    // `concatenated` is accepted as well as `concat`.
    chatwire()
        .args(["decode", "--framing", "concatenated"])
        .write_stdin(concat.as_str())
        .assert()
        .code(0)
        .stdout(expected);
}

#[test]
fn decode_with_the_wrong_framing_reports_what_it_sees() {
    // Pretty-printed values read as NDJSON: each line is bad.
    chatwire()
        .args(["decode", "--framing", "ndjson"])
        .write_stdin("{\n\"event\": \"chat_session_end\"\n}\n")
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::starts_with("-:1:2: byte 1: input ends inside the event in line 1\n")
                .and(predicate::str::contains("-:2:")),
        );
}

#[test]
fn decode_envelope_errors_point_into_the_element() {
    let input = concat!(
        r#"{"events":[{"event":"chat_session_typing"},"#,
        "\n",
        r#"  {"event":"chat_session_file","msg_id":"9","file_type":"video","file_id":"f"},"#,
        "\n",
        r#"  {"event":"chat_session_end"}]}"#,
        "\n",
    );
    let expected_err = "-:2:57: byte 100: invalid event: invalid `file_type`: expected \"image\" or \"attachment\" in element 1 of envelope 0\n";
    chatwire()
        .arg("decode")
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(concat!(
            r#"{"event":"chat_session_typing"}"#,
            "\n",
            r#"{"event":"chat_session_end"}"#,
            "\n"
        ))
        .stderr(expected_err);
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "env.json", input.as_bytes());
    chatwire()
        .args(["decode", &path])
        .assert()
        .code(1)
        .stderr(expected_err.replacen('-', &path, 1));
}

#[test]
fn decode_to_envelope_writes_one_envelope() {
    let expected = concat!(
        r#"{"events":[{"event":"chat_session_typing"},{"event":"chat_session_end"}]}"#,
        "\n"
    );
    chatwire()
        .args(["decode", "--to", "envelope"])
        .write_stdin(MIXED)
        .assert()
        .code(1)
        .stdout(expected)
        .stderr(error_lines("-", &MIXED_ERRORS));
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "mixed.ndjson", MIXED.as_bytes());
    chatwire()
        .args(["decode", "--to", "envelope", &path])
        .assert()
        .code(1)
        .stdout(expected);
    // Its output reads back as the same events.
    let good = chatwire()
        .args(["decode", "--to", "envelope"])
        .write_stdin(GOOD)
        .output()
        .unwrap();
    chatwire()
        .arg("decode")
        .write_stdin(good.stdout)
        .assert()
        .code(0)
        .stdout(GOOD_CANONICAL);
}

#[test]
fn decode_of_empty_input_writes_nothing_or_an_empty_envelope() {
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "empty", b"");
    for args in [vec!["decode", path.as_str()], vec!["decode"]] {
        chatwire()
            .args(&args)
            .write_stdin("")
            .assert()
            .code(0)
            .stdout("")
            .stderr("");
    }
    for args in [
        vec!["decode", "--to", "envelope", path.as_str()],
        vec!["decode", "--to", "envelope"],
    ] {
        chatwire()
            .args(&args)
            .write_stdin("\n \n")
            .assert()
            .code(0)
            .stdout("{\"events\":[]}\n");
    }
}

#[test]
fn decode_enforces_max_event_len_and_resumes() {
    let big = format!(
        "{{\"event\":\"chat_session_message\",\"msg_id\":\"1\",\"msg\":\"{}\"}}\n{{\"event\":\"chat_session_end\"}}\n",
        "x".repeat(200)
    );
    chatwire()
        .args(["decode", "--max-event-len", "100"])
        .write_stdin(big.as_str())
        .assert()
        .code(1)
        .stdout("{\"event\":\"chat_session_end\"}\n")
        .stderr("-:1:1: byte 0: event larger than the size limit in line 1\n");
}

#[test]
fn usage_and_input_errors_exit_2() {
    chatwire()
        .args(["decode", "/nonexistent/events.ndjson"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "chatwire: /nonexistent/events.ndjson: ",
        ));
    chatwire()
        .args(["decode", "--framing", "xml"])
        .assert()
        .code(2);
    chatwire().args(["decode", "--to", "csv"]).assert().code(2);
    chatwire().arg("frobnicate").assert().code(2);
    chatwire().assert().code(2);
    chatwire()
        .args(["gen", "--workload", "mixed"])
        .assert()
        .code(2); // no --events
    chatwire().args(["check", "a", "b"]).assert().code(2);
}

// ---- check ----------------------------------------------------------------

#[test]
fn check_prints_only_error_lines_and_the_summary_on_stderr() {
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "mixed.ndjson", MIXED.as_bytes());
    let expected = error_lines(&path, &MIXED_ERRORS) + "2 events, 4 errors\n";
    chatwire()
        .args(["check", &path])
        .assert()
        .code(1)
        .stdout("")
        .stderr(expected);
    chatwire()
        .arg("check")
        .write_stdin(MIXED)
        .assert()
        .code(1)
        .stdout("")
        .stderr(error_lines("-", &MIXED_ERRORS) + "2 events, 4 errors\n");
}

#[test]
fn check_of_a_good_stream_exits_0() {
    chatwire()
        .args(["check", "-"])
        .write_stdin(GOOD)
        .assert()
        .code(0)
        .stdout("")
        .stderr("5 events, 0 errors\n");
    chatwire()
        .arg("check")
        .write_stdin("{\"event\":\"chat_session_end\"}")
        .assert()
        .code(0)
        .stderr("1 event, 0 errors\n");
}

#[test]
fn check_each_framing() {
    for (input, summary) in [
        (
            r#"{"events":[{"event":"chat_session_typing"},{"event":"chat_session_end"}]}"#,
            "2 events, 0 errors\n",
        ),
        (
            r#"{"event":"chat_session_typing"} {"event":"chat_session_end"} {"event":"nope","x":1}"#,
            "3 events, 0 errors\n",
        ),
        (
            "{\"event\":\"chat_session_typing\"}\n{\"event\":\"chat_session_end\"}\n",
            "2 events, 0 errors\n",
        ),
    ] {
        chatwire()
            .arg("check")
            .write_stdin(input)
            .assert()
            .code(0)
            .stderr(summary);
    }
}

// ---- stats ----------------------------------------------------------------

#[test]
fn stats_counts_kinds_sizes_and_errors() {
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "mixed.ndjson", MIXED.as_bytes());
    let typing = r#"{"event":"chat_session_typing"}"#.len();
    let end = r#"{"event":"chat_session_end"}"#.len();
    for args in [vec!["stats", path.as_str()], vec!["stats"]] {
        let output = chatwire().args(&args).write_stdin(MIXED).output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(output.stderr, b"");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(
            text.contains(&format!("(ndjson, {} bytes)", MIXED.len())),
            "{text}"
        );
        assert!(text.contains("events       2\n"), "{text}");
        assert!(text.contains("errors       4\n"), "{text}");
        assert!(
            text.contains("chat_session_typing                     1   50.0%"),
            "{text}"
        );
        assert!(
            text.contains("chat_session_end                        1   50.0%"),
            "{text}"
        );
        assert!(
            text.contains("chat_session_message                    0    0.0%"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "total {} bytes, largest {} bytes",
                typing + end,
                typing.max(end)
            )),
            "{text}"
        );
        assert!(text.contains("MB/s"), "{text}");
        assert!(text.contains("M events/s"), "{text}");
    }
}

#[test]
fn stats_measures_envelope_elements_as_they_came() {
    let input = concat!(
        r#"{"events":[ {"event":"chat_session_typing"} , {"event":"chat_session_end"}]}"#,
        "\n",
        r#"{"meta":{"a":[1,{"b":2}]},"events":[{"event":"chat_session_message","msg_id":1,"msg":"hi"}]}"#,
    );
    let message = r#"{"event":"chat_session_message","msg_id":1,"msg":"hi"}"#.len();
    let typing = r#"{"event":"chat_session_typing"}"#.len();
    let end = r#"{"event":"chat_session_end"}"#.len();
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "env.json", input.as_bytes());
    for args in [vec!["stats", path.as_str()], vec!["stats"]] {
        let output = chatwire().args(&args).write_stdin(input).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("(envelope, "), "{text}");
        assert!(
            text.contains("(unknown kinds)                         0"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "total {} bytes, largest {} bytes",
                typing + end + message,
                message
            )),
            "{text}"
        );
    }
}

// ---- gen ------------------------------------------------------------------

#[test]
fn gen_is_deterministic_and_is_the_library_workload() {
    let dir = TempDir::new().unwrap();
    for (name, workload) in [
        ("mixed", Workload::Mixed),
        ("typing", Workload::Typing),
        ("signaling", Workload::Signaling),
        ("envelope", Workload::Envelope),
        ("server", Workload::Server),
        ("history", Workload::History),
    ] {
        let expected = workload::generate(workload, 300, 7);
        let a = chatwire()
            .args(["gen", "--workload", name, "--events", "300", "--seed", "7"])
            .output()
            .unwrap();
        assert_eq!(a.status.code(), Some(0));
        assert_eq!(a.stdout, expected, "{name}");
        let path = dir.path().join(name);
        chatwire()
            .args([
                "gen",
                "--workload",
                name,
                "--events",
                "300",
                "--seed",
                "7",
                "-o",
            ])
            .arg(&path)
            .assert()
            .code(0)
            .stdout("");
        assert_eq!(fs::read(&path).unwrap(), expected, "{name}");
        let other = chatwire()
            .args(["gen", "--workload", name, "--events", "300", "--seed", "8"])
            .output()
            .unwrap();
        assert_ne!(other.stdout, expected, "{name}");
        // Every generated client event is good (`check` reads client
        // events; the server workloads have their own tests).
        if !Workload::CLIENT.contains(&workload) {
            continue;
        }
        chatwire()
            .arg("check")
            .arg(&path)
            .assert()
            .code(0)
            .stderr("300 events, 0 errors\n");
    }
}

// ---- bench ----------------------------------------------------------------

#[test]
fn bench_prints_both_decoders_on_the_embedded_workloads() {
    chatwire()
        .args(["bench", "--samples", "1", "--min-time-ms", "1"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("chatwire MB/s")
                .and(predicate::str::contains("serde_json MB/s"))
                .and(predicate::str::contains("ratio"))
                .and(predicate::str::is_match(r"(?m)^mixed +ndjson .* 20,000 \|").unwrap())
                .and(predicate::str::is_match(r"(?m)^typing +ndjson .* 50,000 \|").unwrap())
                .and(predicate::str::is_match(r"(?m)^signaling +ndjson").unwrap())
                .and(predicate::str::is_match(r"(?m)^envelope +envelope .* 10,000 \|").unwrap())
                .and(predicate::str::contains("geometric mean"))
                .and(predicate::str::contains("note:").not()),
        );
}

#[test]
fn bench_decodes_a_file() {
    let dir = TempDir::new().unwrap();
    let path = file(
        &dir,
        "typing.ndjson",
        &workload::generate(Workload::Typing, 1000, 1),
    );
    chatwire()
        .args(["bench", "--samples", "3", "--min-time-ms", "1", &path])
        .assert()
        .code(0)
        .stdout(predicate::str::is_match(r"(?m)^typing\.ndjson +ndjson .* 1,000 \| .*x$").unwrap());
    chatwire().args(["bench", "/nonexistent"]).assert().code(2);
}

// ---- the parallel decoder -------------------------------------------------

/// A multi-megabyte NDJSON file of generated traffic with bad lines, blank
/// lines and CRLF endings mixed in; returns it and the 1-based numbers of
/// its bad lines.
fn damaged_workload() -> (Vec<u8>, Vec<u64>) {
    let clean = workload::generate(Workload::Mixed, 24_000, 11);
    let mut out = Vec::with_capacity(clean.len() + 4096);
    let mut bad = Vec::new();
    let mut line_no = 0u64;
    for (i, line) in clean.split_inclusive(|&b| b == b'\n').enumerate() {
        line_no += 1;
        match i % 1009 {
            17 => {
                // Cut short: the line ends inside the event.
                out.extend_from_slice(&line[..line.len() / 2]);
                out.push(b'\n');
                bad.push(line_no);
            }
            400 => {
                out.extend_from_slice(b"{\"event\":\"chat_session_file\",\"msg_id\":\"1\",\"file_type\":\"video\",\"file_id\":\"x\"}\n");
                bad.push(line_no);
            }
            700 => {
                // A blank line, then the event with CRLF.
                out.extend_from_slice(b"   \n");
                line_no += 1;
                out.extend_from_slice(&line[..line.len() - 1]);
                out.extend_from_slice(b"\r\n");
            }
            900 => {
                out.extend_from_slice(&line[..line.len() - 1]);
                out.extend_from_slice(b" trailing\n");
                bad.push(line_no);
            }
            _ => out.extend_from_slice(line),
        }
    }
    (out, bad)
}

fn assert_same_output(a: &(i32, Vec<u8>, String), b: &(i32, Vec<u8>, String), what: &str) {
    assert_eq!(a.0, b.0, "{what}: status");
    assert!(
        a.1 == b.1,
        "{what}: stdout differs ({} vs {} bytes)",
        a.1.len(),
        b.1.len()
    );
    assert_eq!(a.2, b.2, "{what}: stderr");
}

#[test]
fn parallel_decode_equals_single_threaded_decode() {
    let (bytes, bad_lines) = damaged_workload();
    assert!(bytes.len() > 5_000_000, "{} bytes", bytes.len());
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "damaged.ndjson", &bytes);
    for to in ["ndjson", "envelope"] {
        let single = run(&["decode", "--to", to, "--threads", "1", &path]);
        assert_eq!(single.0, 1);
        // The error lines name the damaged lines, in order.
        let lines: Vec<u64> = single
            .2
            .lines()
            .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(lines, bad_lines, "{to}");
        for chunk in ["4194304", "65536", "1000", "1"] {
            let parallel = run(&[
                "decode",
                "--to",
                to,
                "--threads",
                "2",
                "--chunk-size",
                chunk,
                &path,
            ]);
            assert_same_output(
                &single,
                &parallel,
                &format!("--to {to} --chunk-size {chunk}"),
            );
        }
        let parallel = run(&[
            "decode",
            "--to",
            to,
            "--threads",
            "3",
            "--chunk-size",
            "100000",
            &path,
        ]);
        assert_same_output(&single, &parallel, &format!("--to {to} --threads 3"));
        // Standard input, through the incremental decoder, agrees too.
        let output = chatwire()
            .args(["decode", "--to", to])
            .write_stdin(fs::read(&path).unwrap())
            .output()
            .unwrap();
        assert_eq!(output.stdout, single.1, "{to}: stdin");
        assert_eq!(
            String::from_utf8(output.stderr).unwrap(),
            single.2.replace(&format!("{path}:"), "-:"),
            "{to}: stdin"
        );
    }
    // The good events are the canonical form of the good lines.
    let single = run(&["decode", "--threads", "1", &path]);
    let good: Vec<u8> = bytes
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| chatwire::from_slice(line).is_ok())
        .flat_map(|line| line.to_vec())
        .collect();
    assert!(single.1 == canonical_lines(&good));
}

#[test]
fn parallel_check_and_stats_equal_single_threaded() {
    let (bytes, bad_lines) = damaged_workload();
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "damaged.ndjson", &bytes);
    let single = run(&["check", "--threads", "1", &path]);
    let parallel = run(&["check", "--threads", "2", "--chunk-size", "65536", &path]);
    assert_same_output(&single, &parallel, "check");
    assert!(single.2.ends_with(&format!(
        "\n{} events, {} errors\n",
        24_000 - bad_lines.len(),
        bad_lines.len()
    )));
    let strip_timing = |s: Vec<u8>| -> String {
        String::from_utf8(s)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("throughput"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let single = run(&["stats", "--threads", "1", &path]);
    let parallel = run(&["stats", "--threads", "2", "--chunk-size", "65536", &path]);
    assert_eq!(single.0, 1);
    assert_eq!(parallel.0, 1);
    assert_eq!(strip_timing(single.1), strip_timing(parallel.1));
}

#[test]
fn stdin_is_read_in_pieces_and_matches_the_file() {
    // Larger than one 64 KiB read, with events straddling reads.
    let bytes = workload::generate(Workload::Signaling, 200, 3);
    assert!(bytes.len() > 200_000);
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "signaling.ndjson", &bytes);
    let from_file = run(&["decode", &path]);
    assert_eq!(from_file.0, 0);
    assert!(from_file.1 == canonical_lines(&bytes));
    chatwire()
        .arg("decode")
        .write_stdin(bytes)
        .assert()
        .code(0)
        .stdout(from_file.1)
        .stderr("");
}

#[test]
fn output_closed_early_ends_quietly() {
    // `chatwire decode big | head -c 10`: the reader goes away.
    let bytes = workload::generate(Workload::Mixed, 20_000, 5);
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "mixed.ndjson", &bytes);
    let shell = format!(
        "{} decode {} | head -c 10 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_chatwire"),
        path
    );
    let output = std::process::Command::new("bash")
        .args(["-c", &shell])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "0\n");
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
}

#[test]
fn error_lines_name_the_path_as_given() {
    // Error lines name the path as it was given, relative paths included.
    let dir = TempDir::new().unwrap();
    file(
        &dir,
        "rel.ndjson",
        b"{\"event\":\"chat_session_end\"}\n[]\n",
    );
    chatwire()
        .current_dir(dir.path())
        .args(["check", "rel.ndjson"])
        .assert()
        .code(1)
        .stderr("rel.ndjson:2:1: byte 29: invalid event: expected a JSON object in line 2\n1 event, 1 error\n");
    assert!(Path::new(dir.path()).join("rel.ndjson").exists());
}

// ---- --side ---------------------------------------------------------------

/// Server events as real servers send them (keys sorted, quoted
/// timestamps), and a signaling event whose form only the server's
/// direction accepts (no `msg_id`, no `destination_party_id`).
const SERVER: &str = concat!(
    r#"{"event":"chat_session_status","ewt":"","state":"queued"}"#,
    "\n",
    r#"{"channel":"web","event":"chat_session_message","msg":"Please wait","msg_id":"0","party_id":"7215D0DA","timestamp":"1614718748"}"#,
    "\n",
    r#"{"event":"chat_session_party_joined","party_id":"80A8","type":"internal"}"#,
    "\n",
    r#"{"data":{"type":"END_CALL"},"event":"chat_session_signaling","party_id":"80A8"}"#,
    "\n",
);

/// A Get Chat History answer: the server's events and the client's own,
/// echoed without `party_id`, in one envelope.
const HISTORY: &str = concat!(
    r#"{"events":["#,
    r#"{"event":"chat_session_status","state":"connected"},"#,
    r#"{"event":"chat_session_message","msg_id":"1","msg":"Hello"},"#,
    r#"{"event":"chat_session_message","msg_id":"2","party_id":"80A8","msg":"Hi, how can I help?"},"#,
    r#"{"event":"chat_session_navigation","page":"https://shop.example.com/cart"},"#,
    r#"{"event":"chat_session_typing","party_id":"80A8"},"#,
    r#"{"event":"chat_session_end"}"#,
    "]}\n",
);

/// Each line of `ndjson` written back as the server's events are written.
fn server_lines(ndjson: &str) -> String {
    ndjson
        .lines()
        .map(|line| {
            let event = chatwire::ServerEvent::from_slice(line.as_bytes()).unwrap();
            String::from_utf8(event.to_vec()).unwrap() + "\n"
        })
        .collect()
}

/// Each event of the history envelope written back, one per line.
fn history_lines(body: &str) -> String {
    chatwire::stream::Events::<chatwire::History>::new(body.as_bytes())
        .map(|event| String::from_utf8(event.unwrap().to_vec()).unwrap() + "\n")
        .collect()
}

#[test]
fn decode_side_server_reads_server_events_cleanly() {
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "server.ndjson", SERVER.as_bytes());
    let expected = server_lines(SERVER);
    // The server's form keeps `party_id` and `timestamp`.
    assert!(expected.contains(
        r#""party_id":"7215D0DA","msg":"Please wait","channel":"web","timestamp":"1614718748""#
    ));
    for args in [
        vec!["decode", "--side", "server", path.as_str()],
        vec![
            "decode",
            "--side",
            "server",
            "--threads",
            "1",
            path.as_str(),
        ],
    ] {
        chatwire()
            .args(&args)
            .assert()
            .code(0)
            .stdout(expected.clone())
            .stderr("");
    }
    chatwire()
        .args(["decode", "--side", "server"])
        .write_stdin(SERVER)
        .assert()
        .code(0)
        .stdout(expected)
        .stderr("");
}

#[test]
fn decode_side_client_of_server_events_gives_unknown_events_and_errors() {
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "server.ndjson", SERVER.as_bytes());
    let expected = concat!(
        // Names a client never sends: unknown, written as they came.
        r#"{"event":"chat_session_status","ewt":"","state":"queued"}"#,
        "\n",
        // A name both send: the client's form, without the server's fields.
        r#"{"event":"chat_session_message","msg_id":"0","msg":"Please wait","channel":"web"}"#,
        "\n",
        r#"{"event":"chat_session_party_joined","party_id":"80A8","type":"internal"}"#,
        "\n",
    );
    chatwire()
        .args(["decode", &path])
        .assert()
        .code(1)
        .stdout(expected)
        .stderr(format!(
            "{path}:4:79: byte 339: invalid event: missing field `msg_id` in line 4\n"
        ));
    chatwire()
        .args(["decode", "--side", "client", &path])
        .assert()
        .code(1)
        .stdout(expected);
}

#[test]
fn decode_side_history_puts_each_event_in_its_direction() {
    let dir = TempDir::new().unwrap();
    let path = file(&dir, "history.json", HISTORY.as_bytes());
    let expected = history_lines(HISTORY);
    assert_eq!(
        expected,
        concat!(
            r#"{"event":"chat_session_status","state":"connected"}"#,
            "\n",
            r#"{"event":"chat_session_message","msg_id":"1","msg":"Hello"}"#,
            "\n",
            r#"{"event":"chat_session_message","msg_id":"2","party_id":"80A8","msg":"Hi, how can I help?"}"#,
            "\n",
            r#"{"event":"chat_session_navigation","page":"https://shop.example.com/cart"}"#,
            "\n",
            r#"{"event":"chat_session_typing","party_id":"80A8"}"#,
            "\n",
            r#"{"event":"chat_session_end"}"#,
            "\n",
        )
    );
    chatwire()
        .args(["decode", "--side", "history", &path])
        .assert()
        .code(0)
        .stdout(expected.clone())
        .stderr("");
    chatwire()
        .args(["decode", "--side", "history", "-"])
        .write_stdin(HISTORY)
        .assert()
        .code(0)
        .stdout(expected.clone());
    // One envelope out: the same events.
    let (code, out, err) = run(&["decode", "--side", "history", "--to", "envelope", &path]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(history_lines(std::str::from_utf8(&out).unwrap()), expected);
    // As a server's stream, the client's navigation is unknown but the
    // client's message (no `party_id`) is an error.
    chatwire()
        .args(["decode", "--side", "server", &path])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing field `party_id`"));
}

#[test]
fn check_takes_each_side() {
    let dir = TempDir::new().unwrap();
    let server = file(&dir, "server.ndjson", SERVER.as_bytes());
    let history = file(&dir, "history.json", HISTORY.as_bytes());
    chatwire()
        .args(["check", "--side", "server", &server])
        .assert()
        .code(0)
        .stdout("")
        .stderr("4 events, 0 errors\n");
    chatwire()
        .args(["check", "--side", "client", &server])
        .assert()
        .code(1)
        .stdout("")
        .stderr(format!(
            "{server}:4:79: byte 339: invalid event: missing field `msg_id` in line 4\n3 events, 1 error\n"
        ));
    chatwire()
        .args(["check", "--side", "history", &history])
        .assert()
        .code(0)
        .stderr("6 events, 0 errors\n");
    chatwire()
        .args(["check", "--side", "history"])
        .write_stdin(SERVER)
        .assert()
        .code(0)
        .stderr("4 events, 0 errors\n");
    // A client reading the history: the server's message has the fields of
    // the client's, the rest are unknown names or the client's own.
    chatwire()
        .args(["check", &history])
        .assert()
        .code(0)
        .stderr("6 events, 0 errors\n");
}

#[test]
fn stats_counts_the_kinds_of_each_side() {
    let dir = TempDir::new().unwrap();
    let server = file(&dir, "server.ndjson", SERVER.as_bytes());
    let history = file(&dir, "history.json", HISTORY.as_bytes());

    let (code, out, _) = run(&["stats", "--side", "server", &server]);
    assert_eq!(code, 0);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("side         server\n"), "{text}");
    assert!(text.contains("events       4\n"), "{text}");
    assert!(
        text.contains("chat_session_party_joined               1   25.0%"),
        "{text}"
    );
    assert!(
        text.contains("(unknown kinds)                         0    0.0%"),
        "{text}"
    );

    let (code, out, _) = run(&["stats", "--side", "client", &server]);
    assert_eq!(code, 1);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("side         client\n"), "{text}");
    assert!(
        text.contains("(unknown kinds)                         2   66.7%"),
        "{text}"
    );

    let (code, out, _) = run(&["stats", "--side", "history", &history]);
    assert_eq!(code, 0);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("(envelope, "), "{text}");
    assert!(text.contains("side         history\n"), "{text}");
    for row in [
        "chat_session_message (client)                   1   16.7%",
        "chat_session_message (server)                   1   16.7%",
        "chat_session_end (client)                       1   16.7%",
        "chat_session_typing (server)                    1   16.7%",
        "chat_session_typing (client)                    0    0.0%",
        "(unknown kinds)                                 0    0.0%",
    ] {
        assert!(text.contains(row), "{row}\n{text}");
    }
    // Element sizes as they came, the first one after the envelope's head.
    let sizes: Vec<usize> = HISTORY
        .trim_end()
        .strip_prefix(r#"{"events":["#)
        .and_then(|s| s.strip_suffix("]}"))
        .unwrap()
        .split("},{")
        .map(|s| s.len() + 2)
        .collect();
    let total: usize = sizes.iter().sum::<usize>() - 2;
    assert!(
        text.contains(&format!("total {total} bytes")),
        "{total}\n{text}"
    );
}

#[test]
fn parallel_decode_of_server_and_history_traffic_equals_single_threaded() {
    let dir = TempDir::new().unwrap();
    for (workload, side) in [(Workload::Server, "server"), (Workload::History, "history")] {
        let bytes = workload::generate(workload, 3000, 7);
        let path = file(&dir, side, &bytes);
        let single = run(&["decode", "--side", side, "--threads", "1", &path]);
        assert_eq!(single.0, 0, "{side}: {}", single.2);
        let parallel = run(&[
            "decode",
            "--side",
            side,
            "--threads",
            "3",
            "--chunk-size",
            "20000",
            &path,
        ]);
        assert_same_output(&single, &parallel, side);
        let piped = chatwire()
            .args(["decode", "--side", side])
            .write_stdin(bytes.clone())
            .output()
            .unwrap();
        assert_eq!(piped.stdout, single.1, "{side}: standard input");
        let check = run(&[
            "check",
            "--side",
            side,
            "--threads",
            "3",
            "--chunk-size",
            "20000",
            &path,
        ]);
        assert_eq!(check.0, 0, "{side}: {}", check.2);
    }
}

#[test]
fn an_unknown_side_is_a_usage_error() {
    chatwire()
        .args(["decode", "--side", "agent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--side"));
    chatwire()
        .args(["decode", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--side <SIDE>").and(predicate::str::contains("history")));
}
