// Option names the allocators accept, to warn about typos before the allocator silently
// skips them. jemalloc 5.3: every key below was checked against libjemalloc.so.2 on
// Debian 12 (an unknown key prints "Invalid conf pair", a known one with a bad value
// "Invalid conf value"); utrace, xmalloc and lg_san_uaf_align exist only in builds
// configured with them. glibc 2.36: `ld.so --list-tunables`.

export const JEMALLOC_OPTIONS: readonly string[] = [
  "abort", "abort_conf", "cache_oblivious", "confirm_conf", "trust_madvise", "retain", "dss",
  "narenas", "narenas_ratio", "percpu_arena", "oversize_threshold", "bin_shards", "slab_sizes",
  "hpa", "hpa_slab_max_alloc", "hpa_hugification_threshold", "hpa_hugification_threshold_ratio",
  "hpa_hugify_delay_ms", "hpa_min_purge_interval_ms", "hpa_dirty_mult", "hpa_sec_nshards",
  "hpa_sec_max_alloc", "hpa_sec_max_bytes", "hpa_sec_bytes_after_flush", "hpa_sec_batch_fill_extra",
  "metadata_thp", "mutex_max_spin", "background_thread", "max_background_threads",
  "dirty_decay_ms", "muzzy_decay_ms", "lg_extent_max_active_fit", "junk", "zero", "zero_realloc",
  "utrace", "xmalloc", "experimental_infallible_new",
  "tcache", "tcache_max", "lg_tcache_max", "tcache_nslots_small_min", "tcache_nslots_small_max",
  "tcache_nslots_large", "lg_tcache_nslots_mul", "tcache_gc_incr_bytes", "tcache_gc_delay_bytes",
  "lg_tcache_flush_small_div", "lg_tcache_flush_large_div", "thp",
  "san_guard_small", "san_guard_large", "lg_san_uaf_align",
  "prof", "prof_prefix", "prof_active", "prof_thread_active_init", "lg_prof_sample", "prof_accum",
  "lg_prof_interval", "prof_gdump", "prof_final", "prof_leak", "prof_leak_error", "prof_log",
  "prof_recent_alloc_max", "prof_stats", "prof_sys_thread_name", "prof_time_resolution", "prof_unbias",
  "stats_print", "stats_print_opts", "stats_interval", "stats_interval_opts",
];

/** glibc.malloc.* tunables (without the prefix). */
export const GLIBC_MALLOC_TUNABLES: readonly string[] = [
  "arena_max", "arena_test", "check", "hugetlb", "mmap_max", "mmap_threshold", "mxfast", "perturb",
  "tcache_count", "tcache_max", "tcache_unsorted_limit", "top_pad", "trim_threshold",
];

/**
 * TCMALLOC_* variables gperftools reads (without the prefix, lower case): the getenv names
 * in libtcmalloc.so.4 2.10 on Debian 12, plus those of its debug variant and the sampler.
 */
export const TCMALLOC_OPTIONS: readonly string[] = [
  "aggressive_decommit", "devmem_limit", "devmem_start", "disable_memory_release", "heap_limit_mb",
  "large_alloc_report_threshold", "max_total_thread_cache_bytes", "memfs_abort_on_fail",
  "memfs_disable_fallback", "memfs_ignore_mmap_fail", "memfs_limit_mb", "memfs_malloc_path",
  "memfs_map_private", "release_rate", "sample_parameter", "skip_mmap", "skip_sbrk",
  "stacktrace_method", "stacktrace_method_verbose", "transfer_num_obj",
  "max_free_queue_size", "reclaim_memory", "page_fence", "page_fence_never_reclaim", "page_fence_readable",
];

/**
 * MIMALLOC_* options (without the prefix, lower case): mimalloc 2.0 (Debian 12's, from the
 * option table in libmimalloc.so.2) and the names 2.1+ renamed or added, so no version warns
 * about the other's.
 */
export const MIMALLOC_OPTIONS: readonly string[] = [
  "show_errors", "show_stats", "verbose", "eager_commit", "reset_decommits", "large_os_pages",
  "reserve_huge_os_pages", "reserve_huge_os_pages_at", "reserve_os_memory", "segment_cache",
  "abandoned_page_decommit", "abandoned_page_reset", "segment_reset", "page_reset", "eager_commit_delay",
  "reset_delay", "use_numa_nodes", "limit_os_alloc", "os_tag", "max_errors", "max_warnings",
  "max_segment_reclaim", "allow_decommit", "segment_decommit_delay", "decommit_extend_delay",
  "destroy_on_exit", "eager_region_commit",
  "arena_eager_commit", "purge_decommits", "allow_large_os_pages", "purge_delay", "disallow_os_alloc",
  "arena_reserve", "arena_purge_mult", "purge_extend_delay", "abandoned_page_purge",
  "abandoned_reclaim_on_free", "disallow_arena_alloc", "retry_on_oom", "visit_abandoned",
  "guarded_min", "guarded_max", "guarded_precise", "guarded_sample_rate", "guarded_sample_seed",
  "target_segments_per_thread", "generic_collect", "allow_thp", "page_reclaim_on_free", "page_full_retain",
  "page_max_candidates", "max_vabits", "pagemap_commit", "page_commit_on_demand", "page_max_reclaim",
  "page_cross_thread_max_reclaim",
];
