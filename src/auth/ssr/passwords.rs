//! Password hashing with argon2id, on threads of its own at a lower CPU priority and
//! bounded, so a burst of log-ins queues for CPU instead of stalling every other
//! request, and in working memory that is reused, so a burst does not grow the
//! process either.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{mpsc, Arc, Mutex, PoisonError},
};

use argon2::{
    password_hash::{self, rand_core::OsRng, Output, ParamsString, PasswordHash, Salt, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use tokio::sync::Semaphore;

use crate::{auth::domain::Password, error::AppError};

/// The longest a request waits for a free hashing slot.
const QUEUE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    hashers: mpsc::Sender<Job>,
    memory: Arc<Memory>,
    /// Verified against when the email is unknown, so that answer costs the same
    /// time as a wrong password and timing does not reveal who has an account.
    dummy_hash: Arc<str>,
}

impl Passwords {
    pub fn new(concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        let memory = Arc::new(Memory::new(concurrency));
        let dummy = SaltString::generate(&mut OsRng);
        let dummy_hash = hash_blocking(&memory, dummy.as_str())
            .expect("hashing a fixed-size random string cannot fail");
        Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            hashers: start_hashers(concurrency),
            memory,
            dummy_hash: dummy_hash.into(),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) for the new password.
    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let password = password.expose().to_owned();
        let memory = Arc::clone(&self.memory);
        self.run(move || hash_blocking(&memory, &password))
            .await?
            .map_err(|error| {
                tracing::error!(%error, "password hashing failed");
                AppError::Internal
            })
    }

    /// Whether `password` matches `stored`; with no stored hash (unknown email) it
    /// does the same work against a dummy hash and answers false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let password = password.to_owned();
        let (stored, known) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (self.dummy_hash.to_string(), false),
        };
        let memory = Arc::clone(&self.memory);
        let matches = self
            .run(move || verify_blocking(&memory, &password, &stored))
            .await?
            .map_err(|error| {
                tracing::error!(%error, "a stored password hash could not be checked");
                AppError::Internal
            })?;
        Ok(known && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        // A flood of log-ins waits its turn, but not forever: past this, the
        // server is overloaded and says so rather than hang the request.
        let permit = tokio::time::timeout(QUEUE_TIMEOUT, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| {
                tracing::warn!("password hashing queue full; answering temporarily unavailable");
                AppError::Unavailable
            })?
            .map_err(|_| AppError::Internal)?;
        // The hash owns the permit, not the request: when a client hangs up mid-hash
        // the hash still runs to the end, and the next one must wait for it. Held by
        // the request instead, every abandoned log-in let one more hash (and one more
        // 19 MiB buffer) start beside it: 100 MB resident after a few bursts.
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _permit = permit;
            let _ = done.send(work());
        });
        self.hashers.send(job).map_err(|_| {
            tracing::error!("the password hashing threads are gone");
            AppError::Internal
        })?;
        result.await.map_err(|_| {
            tracing::error!("a password hashing task failed");
            AppError::Internal
        })
    }
}

/// `count` threads that run hashing jobs one at a time, at a lower priority, until
/// every sender is dropped. Threads of their own rather than tokio's blocking pool,
/// whose threads also serve files and would keep the lowered priority.
fn start_hashers(count: usize) -> mpsc::Sender<Job> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..count {
        let receiver = Arc::clone(&receiver);
        std::thread::Builder::new()
            .name("password-hash".to_owned())
            .spawn(move || {
                lower_this_threads_priority();
                loop {
                    let job = receiver
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv();
                    let Ok(job) = job else { return };
                    // A panicking job loses its answer (the request sees an internal
                    // error), not the thread.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            })
            .expect("the OS refused to start a password hashing thread");
    }
    sender
}

/// Hashing still takes every core nothing else wants, but pages and other requests
/// come first: with log-ins saturating both cores, `GET /`'s p99 was 3.4x its
/// unloaded p99 at normal priority.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        const HASHING_NICE: libc::c_int = 10;
        // On Linux the nice value belongs to the thread named by its id.
        // SAFETY: gettid and setpriority take and return plain integers.
        let result = unsafe {
            let tid = libc::gettid() as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, HASHING_NICE)
        };
        if result != 0 {
            tracing::warn!("could not lower the password hashing threads' priority");
        }
    }
}

/// Argon2's working memory (19 MiB with the default parameters), one buffer per hash
/// that may run at once, kept between hashes. Allocating it afresh for every hash let
/// the allocator keep a copy on each thread that had hashed: peak memory then
/// depended on how many threads had taken a turn.
struct Memory {
    buffers: Mutex<Vec<Vec<Block>>>,
    keep: usize,
}

impl Memory {
    fn new(keep: usize) -> Self {
        Self {
            buffers: Mutex::new(Vec::with_capacity(keep)),
            keep,
        }
    }

    fn with_blocks<T>(&self, params: &Params, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let taken = self
            .buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut blocks = taken.unwrap_or_default();
        if blocks.len() < params.block_count() {
            blocks.resize(params.block_count(), Block::new());
        }
        let result = work(&mut blocks);
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        // `Passwords` never runs more hashes than it keeps buffers (each hash holds
        // its permit to the end); were that to change, the extra is freed, not kept.
        if buffers.len() < self.keep {
            buffers.push(blocks);
        }
        result
    }
}

/// The hash of `password` under `argon2`'s parameters, as `PasswordHasher` would
/// compute it, in `memory`'s reused blocks.
fn compute(
    memory: &Memory,
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: Salt<'_>,
) -> Result<Output, password_hash::Error> {
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    memory.with_blocks(params, |blocks| {
        Output::init_with(output_len, |out| {
            Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, blocks)?)
        })
    })
}

fn hash_blocking(memory: &Memory, password: &str) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    // The defaults are argon2id with m = 19 MiB, t = 2, p = 1: OWASP's minimum.
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = compute(
        memory,
        &argon2,
        &params,
        password.as_bytes(),
        salt.as_salt(),
    )?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Whether `password` matches the PHC string `stored`, with the parameters stored
/// in it (so hashes made with other settings keep working).
fn verify_blocking(
    memory: &Memory,
    password: &str,
    stored: &str,
) -> Result<bool, password_hash::Error> {
    let parsed = PasswordHash::new(stored)?;
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(password_hash::Error::PhcStringField);
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = compute(memory, &argon2, &params, password.as_bytes(), salt)?;
    // `Output`'s equality is constant-time.
    Ok(computed == expected)
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn a_hash_is_a_standard_argon2id_phc_string_that_argon2_itself_verifies() {
        let memory = Memory::new(1);
        let hash = hash_blocking(&memory, "correct horse battery staple").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery staple", &parsed)
            .is_ok());
    }

    #[test]
    fn verifying_accepts_the_password_and_refuses_any_other() {
        let memory = Memory::new(1);
        let hash = hash_blocking(&memory, "correct horse battery staple").unwrap();
        assert!(verify_blocking(&memory, "correct horse battery staple", &hash).unwrap());
        assert!(!verify_blocking(&memory, "correct horse battery stapler", &hash).unwrap());
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        let salt = SaltString::generate(&mut OsRng);
        let params = Params::new(8192, 3, 1, None).unwrap();
        let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"an older, cheaper hash", &salt)
            .unwrap()
            .to_string();
        let memory = Memory::new(1);
        assert!(verify_blocking(&memory, "an older, cheaper hash", &stored).unwrap());
        assert!(!verify_blocking(&memory, "something else", &stored).unwrap());
    }

    #[tokio::test]
    async fn an_abandoned_log_in_keeps_its_hashing_slot_until_the_hash_is_done() {
        let passwords = Passwords::new(1);
        // The stored parameters make this verification take about a second.
        let slow = hash_blocking(&Memory::new(1), "irrelevant")
            .unwrap()
            .replace("t=2", "t=60");
        let request = tokio::spawn({
            let passwords = passwords.clone();
            async move { passwords.verify("a guess", Some(&slow)).await }
        });
        while passwords.permits.available_permits() == 1 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        request.abort(); // the client hung up
        let _ = request.await;
        assert_eq!(
            passwords.permits.available_permits(),
            0,
            "a second hash could start beside the abandoned one"
        );
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_runs_at_a_lower_cpu_priority_than_the_rest_of_the_server() {
        let passwords = Passwords::new(1);
        // SAFETY: plain integers in and out.
        let nice =
            |()| unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let here = nice(());
        let hashing = passwords.run(move || nice(())).await.unwrap();
        assert!(
            hashing > here,
            "hashing at nice {hashing}, the server at {here}"
        );
    }

    #[test]
    fn the_working_memory_is_reused_and_never_kept_beyond_the_concurrency() {
        let memory = Memory::new(1);
        let params = Params::default();
        memory.with_blocks(&params, |_| {
            // A second hash at the same time (an abandoned request's) gets its own.
            memory.with_blocks(&params, |_| ());
        });
        assert_eq!(memory.buffers.lock().unwrap().len(), 1);
    }
}
