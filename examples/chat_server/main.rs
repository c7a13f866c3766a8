//! A chat server of the Mobile/Web API on axum, with chatwire (or, to
//! compare, serde_json) reading and writing the events; see `app.rs`.
//!
//! ```sh
//! cargo run --release --features serde --example chat_server -- --addr 127.0.0.1:8080
//! cargo run --release --features serde --example chat_server -- --codec serde
//! ```

mod app;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use app::{Codec, Config};

const USAGE: &str = "\
usage: chat_server [OPTIONS]

  --addr ADDR            address to listen on (default 127.0.0.1:8080)
  --codec CODEC          chatwire (default) or serde
  --threads N            worker threads (default: one per core)
  --poll-wait-ms MS      how long Get New Chat Events waits (default 10000)
  --max-body BYTES       largest Send Events body, else 413 (default 1048576)
  --history-bytes BYTES  bound on one chat's history (default 4194304)
  --max-chats N          most chats at once, else 503 (default 10000)
  --idle-secs S          a chat idle this long is dropped (default 300)
";

struct Args {
    addr: SocketAddr,
    threads: Option<usize>,
    config: Config,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        threads: None,
        config: Config::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        let config = &mut args.config;
        match flag.as_str() {
            "--addr" => args.addr = value.parse().map_err(|e| format!("--addr {value}: {e}"))?,
            "--codec" => config.codec = value.parse::<Codec>()?,
            "--threads" => args.threads = Some(number()?.max(1) as usize),
            "--poll-wait-ms" => config.poll_wait = Duration::from_millis(number()?),
            "--max-body" => config.max_body = number()? as usize,
            "--history-bytes" => config.history_bytes = number()? as usize,
            "--max-chats" => config.max_chats = number()? as usize,
            "--idle-secs" => config.idle_expiry = Duration::from_secs(number()?),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if message.is_empty() {
                print!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprint!("chat_server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.threads {
        runtime.worker_threads(threads);
    }
    let runtime = match runtime.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("chat_server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await?;
        println!(
            "chat_server: listening on http://{} (codec {})",
            listener.local_addr()?,
            args.config.codec
        );
        app::serve(listener, args.config).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chat_server: {e}");
            ExitCode::FAILURE
        }
    }
}
