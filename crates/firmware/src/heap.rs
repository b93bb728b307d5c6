//! The heap the engine's `alloc` uses, with a high-water mark.

use core::{
    alloc::{GlobalAlloc, Layout},
    mem::MaybeUninit,
    ptr::addr_of_mut,
    sync::atomic::{AtomicUsize, Ordering},
};

use embedded_alloc::LlffHeap;

/// Bytes of RAM given to the heap.
pub const HEAP_SIZE: usize = 64 * 1024;

/// A heap that counts the bytes in use and remembers the most ever in use.
pub struct CountingHeap {
    heap: LlffHeap,
    used: AtomicUsize,
    peak: AtomicUsize,
}

/// The global allocator, counting.
#[global_allocator]
pub static HEAP: CountingHeap = CountingHeap {
    heap: LlffHeap::empty(),
    used: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
};

#[allow(
    unsafe_code,
    reason = "a global allocator is an unsafe trait; this one only counts"
)]
// SAFETY: every call is passed on unchanged to a correct allocator.
unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on.
        let ptr = unsafe { self.heap.alloc(layout) };
        if !ptr.is_null() {
            let used = self.used.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(used, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.used.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller upholds `dealloc`'s contract, which we pass on.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

impl CountingHeap {
    /// Bytes in use now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The most bytes ever in use.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

/// Gives the heap its memory. Call once, first thing in `main`.
#[allow(
    unsafe_code,
    reason = "handing a static buffer to the allocator exactly once"
)]
pub fn init() {
    static mut MEMORY: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // SAFETY: called once at start-up before any allocation; MEMORY is used by nothing else.
    unsafe { HEAP.heap.init(addr_of_mut!(MEMORY) as usize, HEAP_SIZE) }
}
