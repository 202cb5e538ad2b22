//! A least-recently-used cache of loaded patients, bounded by bytes, that loads each patient
//! once even when many requests ask for it at the same time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;
use tumorscope_core::PatientImage;

use crate::PatientSource;

/// Default memory budget of loaded images: 2 GiB.
pub const DEFAULT_CACHE_BYTES: u64 = 2 << 30;

type Slot = Arc<OnceCell<Arc<PatientImage>>>;

struct Entry {
    slot: Slot,
    /// Bytes held once loaded (0 while loading).
    bytes: u64,
    /// Last use, from a counter (larger is more recent).
    used: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<u32, Entry>,
    clock: u64,
}

/// Loaded patients, evicted least recently used first when over `budget_bytes`.
pub struct ImageCache {
    budget_bytes: u64,
    inner: Mutex<Inner>,
}

/// Bytes an image holds: the CT (2 per voxel) and one bit per voxel per mask.
pub fn image_bytes(image: &PatientImage) -> u64 {
    let masks: usize = image
        .masks
        .iter()
        .map(|m| std::mem::size_of_val(m.bits.words()))
        .sum();
    (image.ct.data.len() * 2 + masks) as u64
}

impl ImageCache {
    pub fn new(budget_bytes: u64) -> Self {
        Self {
            budget_bytes,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The image of patient `id`, loading it through `source` on a blocking thread if needed.
    pub async fn get(
        &self,
        source: &Arc<dyn PatientSource>,
        id: u32,
    ) -> Result<Arc<PatientImage>, String> {
        let slot = {
            let mut inner = self.lock();
            inner.clock += 1;
            let now = inner.clock;
            let entry = inner.entries.entry(id).or_insert_with(|| Entry {
                slot: Slot::default(),
                bytes: 0,
                used: now,
            });
            entry.used = now;
            entry.slot.clone()
        };
        let loaded = slot
            .get_or_try_init(|| {
                let source = source.clone();
                async move {
                    match tokio::task::spawn_blocking(move || source.load(id)).await {
                        Ok(result) => result,
                        Err(e) => Err(format!("loading patient `{id}` failed: {e}")),
                    }
                }
            })
            .await;
        match loaded {
            Ok(image) => {
                self.settle(id, &slot, image_bytes(image));
                Ok(image.clone())
            }
            Err(e) => {
                // Do not keep failures: the next request tries again.
                let mut inner = self.lock();
                if inner
                    .entries
                    .get(&id)
                    .is_some_and(|e| Arc::ptr_eq(&e.slot, &slot))
                {
                    inner.entries.remove(&id);
                }
                Err(e)
            }
        }
    }

    /// Records the size of a loaded entry and evicts the least recently used others over budget.
    fn settle(&self, id: u32, slot: &Slot, bytes: u64) {
        let mut inner = self.lock();
        match inner.entries.get_mut(&id) {
            Some(e) if Arc::ptr_eq(&e.slot, slot) => e.bytes = bytes,
            _ => return,
        }
        loop {
            let total: u64 = inner.entries.values().map(|e| e.bytes).sum();
            if total <= self.budget_bytes {
                break;
            }
            // The patient just asked for stays, even alone over budget.
            let victim = inner
                .entries
                .iter()
                .filter(|(k, e)| **k != id && e.bytes > 0)
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| *k);
            match victim {
                Some(k) => {
                    inner.entries.remove(&k);
                }
                None => break,
            }
        }
    }

    /// Ids of the loaded patients, most recently used first.
    pub fn loaded(&self) -> Vec<u32> {
        let inner = self.lock();
        let mut v: Vec<(u64, u32)> = inner
            .entries
            .iter()
            .filter(|(_, e)| e.slot.initialized())
            .map(|(k, e)| (e.used, *k))
            .collect();
        v.sort_by(|a, b| b.cmp(a));
        v.into_iter().map(|(_, k)| k).collect()
    }

    /// Bytes held by loaded images.
    pub fn held_bytes(&self) -> u64 {
        self.lock().entries.values().map(|e| e.bytes).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
