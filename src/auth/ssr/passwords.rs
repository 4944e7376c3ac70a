//! Password hashing with argon2id, on threads of its own at a lower CPU priority and
//! bounded, so a burst of log-ins queues for CPU instead of stalling every other
//! request.
//!
//! Each hash allocates its 19 MiB of working memory afresh, through argon2's own API.
//! Under mimalloc (src/main.rs) a pool of reused buffers bought too little to keep
//! (release builds, 8 bursts of 64 log-ins then `GET /`, medians of 20 interleaved
//! runs each): 64 MB resident under log-ins with or without it; a peak of 82 MB
//! rather than 68 (one block more for a moment, in 18 of the 20 runs); 29 MB rather
//! than 67 once the log-ins stop, since mimalloc hands back the blocks a pool keeps;
//! and up to ~3 ms more CPU per ~20 ms log-in (filling the fresh block, and faulting
//! it back in when log-ins are spaced out), while log-ins/s stayed level within the
//! noise (43 either way in bursts). Under glibc's malloc the pool would be needed
//! again: without it each arena a hashing thread had used kept a block, 229 MB after
//! the same bursts.

use std::{
    collections::VecDeque,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{mpsc, Arc, Mutex, PoisonError},
};

use argon2::{
    password_hash::{
        self, rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
    },
    Argon2,
};
use tokio::sync::oneshot;

use crate::{auth::domain::Password, error::AppError, telemetry};

/// The longest a request waits for a free hashing slot.
const QUEUE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send>;

/// Which hashes go first when every slot is busy: a person logging in (or changing
/// or resetting a password) before anyone signing up, so a flood of sign-ups
/// cannot starve log-ins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    First,
    SignUp,
}

#[derive(Clone)]
pub struct Passwords {
    slots: Arc<Slots>,
    hashers: mpsc::Sender<Job>,
    /// Verified against when the email is unknown, so that answer costs the same
    /// time as a wrong password and timing does not reveal who has an account.
    dummy_hash: Arc<str>,
}

impl Passwords {
    pub fn new(concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        let dummy = SaltString::generate(&mut OsRng);
        let dummy_hash =
            hash_blocking(dummy.as_str()).expect("hashing a fixed-size random string cannot fail");
        Self {
            slots: Slots::new(concurrency),
            hashers: start_hashers(concurrency),
            dummy_hash: dummy_hash.into(),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) for the new password.
    pub async fn hash(&self, password: &Password, priority: Priority) -> Result<String, AppError> {
        let password = password.expose().to_owned();
        self.run(priority, move || hash_blocking(&password))
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
        let matches = self
            .run(Priority::First, move || verify_blocking(&password, &stored))
            .await?
            .map_err(|error| {
                tracing::error!(%error, "a stored password hash could not be checked");
                AppError::Internal
            })?;
        Ok(known && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        priority: Priority,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        // A flood of log-ins waits its turn, but not forever: past this, the
        // server is overloaded and says so rather than hang the request.
        let permit = tokio::time::timeout(QUEUE_TIMEOUT, self.slots.acquire(priority))
            .await
            .map_err(|_| {
                tracing::warn!(
                    ?priority,
                    "password hashing queue full; answering temporarily unavailable"
                );
                AppError::Unavailable
            })?
            .ok_or(AppError::Internal)?;
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

/// The hashing slots: at most `count` hashes at once, handed out to waiting
/// `Priority::First` requests before waiting sign-ups, each class in arrival order.
/// (tokio's `Semaphore` is fair but has no priorities.)
struct Slots {
    state: Mutex<SlotState>,
}

struct SlotState {
    free: usize,
    /// Waiters by priority: `[First, SignUp]`.
    waiting: [VecDeque<oneshot::Sender<Slot>>; 2],
}

/// One hashing slot, given back when dropped (to the next waiter, first come
/// first served within the higher priority).
pub struct Slot {
    slots: Option<Arc<Slots>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(slots) = self.slots.take() {
            slots.release();
        }
    }
}

impl Slots {
    fn new(count: usize) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(SlotState {
                free: count,
                waiting: [VecDeque::new(), VecDeque::new()],
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot, at once if one is free and nobody of this priority or higher waits,
    /// else when one is handed over; None only if the slots are gone.
    async fn acquire(self: &Arc<Self>, priority: Priority) -> Option<Slot> {
        let receiver = {
            let mut state = self.lock();
            let class = priority as usize;
            let queued_ahead = state.waiting[..=class].iter().any(|q| !q.is_empty());
            if state.free > 0 && !queued_ahead {
                state.free -= 1;
                telemetry::hash_waited_none();
                return Some(Slot {
                    slots: Some(Arc::clone(self)),
                });
            }
            let (sender, receiver) = oneshot::channel();
            state.waiting[class].push_back(sender);
            receiver
        };
        // Dropped while waiting (timeout, client gone): a slot handed over in that
        // moment sits in the channel and is released when the channel drops.
        let _waiting = telemetry::HashWaiting::start();
        receiver.await.ok()
    }

    /// Hands the slot to the first waiter of the highest priority still waiting, or
    /// frees it.
    fn release(self: &Arc<Self>) {
        let mut state = self.lock();
        loop {
            let next = state.waiting.iter_mut().find_map(VecDeque::pop_front);
            let Some(waiter) = next else {
                state.free += 1;
                return;
            };
            let slot = Slot {
                slots: Some(Arc::clone(self)),
            };
            match waiter.send(slot) {
                Ok(()) => return,
                // That waiter gave up: disarm the slot (we still hold it) and try
                // the next.
                Err(mut slot) => slot.slots = None,
            }
        }
    }

    #[cfg(test)]
    fn free(&self) -> usize {
        self.lock().free
    }
}

/// Refuses a new password that would be guessed quickly: one zxcvbn estimates at
/// under a million guesses (its scores 0 and 1), which takes in the most common
/// passwords and their variants, keyboard walks, repeats, dates, and the person's
/// own name or email (`personal`). The message says why, in zxcvbn's words. Run on
/// the blocking pool: it takes a few milliseconds of pattern matching.
pub async fn refuse_guessable(
    password: &Password,
    field: &str,
    personal: &[&str],
) -> Result<(), AppError> {
    let password = password.expose().to_owned();
    let personal: Vec<String> = personal.iter().map(|s| (*s).to_owned()).collect();
    let verdict = tokio::task::spawn_blocking(move || {
        let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
        let estimate = zxcvbn::zxcvbn(&password, &personal);
        (estimate.score() <= zxcvbn::Score::One)
            .then(|| estimate.feedback().and_then(|feedback| feedback.warning()))
    })
    .await
    .map_err(|error| {
        tracing::error!(%error, "the password strength check failed");
        AppError::Internal
    })?;
    match verdict {
        None => Ok(()),
        Some(warning) => {
            let why = warning.map_or_else(
                || "It is among the most common passwords.".to_owned(),
                |warning| warning.to_string(),
            );
            Err(AppError::validation(
                field,
                format!(
                    "This password is too easy to guess. {why} A few unrelated words make a \
                     good one."
                ),
            ))
        }
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

fn hash_blocking(password: &str) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    // The defaults are argon2id with m = 19 MiB, t = 2, p = 1: OWASP's minimum.
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches the PHC string `stored`, with the parameters stored
/// in it (so hashes made with other settings keep working).
fn verify_blocking(password: &str, stored: &str) -> Result<bool, password_hash::Error> {
    let parsed = PasswordHash::new(stored)?;
    // `verify_password` would call a stored hash without them a wrong password;
    // it is a damaged row, and an error.
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err(password_hash::Error::PhcStringField);
    }
    // It hashes with the stored algorithm, version and parameters and compares the
    // outputs in constant time.
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::Password) => Ok(false),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use argon2::{Algorithm, Params, Version};

    use super::*;

    #[test]
    fn a_hash_is_a_standard_argon2id_phc_string_that_argon2_itself_verifies() {
        let hash = hash_blocking("correct horse battery staple").unwrap();
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
        let hash = hash_blocking("correct horse battery staple").unwrap();
        assert!(verify_blocking("correct horse battery staple", &hash).unwrap());
        assert!(!verify_blocking("correct horse battery stapler", &hash).unwrap());
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        let salt = SaltString::generate(&mut OsRng);
        let params = Params::new(8192, 3, 1, None).unwrap();
        let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"an older, cheaper hash", &salt)
            .unwrap()
            .to_string();
        assert!(verify_blocking("an older, cheaper hash", &stored).unwrap());
        assert!(!verify_blocking("something else", &stored).unwrap());
    }

    #[test]
    fn a_stored_hash_without_its_salt_or_output_is_an_error_not_a_wrong_password() {
        let hash = hash_blocking("correct horse battery staple").unwrap();
        let (params, _) = hash.rsplit_once('$').unwrap();
        let (no_salt, _) = params.rsplit_once('$').unwrap();
        assert!(verify_blocking("correct horse battery staple", no_salt).is_err());
    }

    #[tokio::test]
    async fn an_abandoned_log_in_keeps_its_hashing_slot_until_the_hash_is_done() {
        let passwords = Passwords::new(1);
        // The stored parameters make this verification take about a second.
        let slow = hash_blocking("irrelevant").unwrap().replace("t=2", "t=60");
        let request = tokio::spawn({
            let passwords = passwords.clone();
            async move { passwords.verify("a guess", Some(&slow)).await }
        });
        while passwords.slots.free() == 1 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        request.abort(); // the client hung up
        let _ = request.await;
        assert_eq!(
            passwords.slots.free(),
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
        let hashing = passwords
            .run(Priority::First, move || nice(()))
            .await
            .unwrap();
        assert!(
            hashing > here,
            "hashing at nice {hashing}, the server at {here}"
        );
    }

    #[tokio::test]
    async fn the_most_common_passwords_and_simple_patterns_are_refused_with_why() {
        for (guessable, why) in [
            ("password1234", "common password"),
            ("qwertyuiopasdf", "common"),
            ("aaaaaaaaaaaaaaa", "Repeats"),
        ] {
            let password = Password::parse(guessable, "password").unwrap();
            let error =
                refuse_guessable(&password, "password", &["ada@example.com", "Ada Lovelace"])
                    .await
                    .expect_err(guessable);
            let message = error.to_string();
            assert!(
                message.contains("too easy to guess") && message.contains(why),
                "{guessable}: {message}"
            );
        }
    }

    #[tokio::test]
    async fn a_few_unrelated_words_pass() {
        for good in [
            "correct horse battery staple",
            "a brand new passphrase",
            "an entirely new passphrase",
        ] {
            let password = Password::parse(good, "password").unwrap();
            assert!(
                refuse_guessable(&password, "password", &[]).await.is_ok(),
                "{good}"
            );
        }
    }

    #[tokio::test]
    async fn a_waiting_log_in_gets_the_next_slot_before_sign_ups_that_waited_longer() {
        let slots = Slots::new(1);
        let busy = slots.acquire(Priority::First).await.unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let wait = |priority, label: &'static str| {
            let (slots, order) = (Arc::clone(&slots), Arc::clone(&order));
            tokio::spawn(async move {
                let slot = slots.acquire(priority).await.unwrap();
                order.lock().unwrap().push(label);
                drop(slot);
            })
        };
        let sign_ups = [
            wait(Priority::SignUp, "sign-up 1"),
            wait(Priority::SignUp, "sign-up 2"),
        ];
        tokio::task::yield_now().await;
        let log_in = wait(Priority::First, "log-in");
        while slots
            .lock()
            .waiting
            .iter()
            .map(VecDeque::len)
            .sum::<usize>()
            < 3
        {
            tokio::task::yield_now().await;
        }
        drop(busy);
        log_in.await.unwrap();
        for sign_up in sign_ups {
            sign_up.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["log-in", "sign-up 1", "sign-up 2"]);
        assert_eq!(slots.free(), 1, "every slot came back");
    }

    #[tokio::test]
    async fn a_waiter_that_gave_up_does_not_take_a_slot_with_it() {
        let slots = Slots::new(1);
        let busy = slots.acquire(Priority::First).await.unwrap();
        let gave_up = tokio::time::timeout(
            std::time::Duration::from_millis(5),
            slots.acquire(Priority::SignUp),
        )
        .await;
        assert!(gave_up.is_err());
        drop(busy);
        assert_eq!(slots.free(), 1);
        assert!(slots.acquire(Priority::SignUp).await.is_some());
    }
}
