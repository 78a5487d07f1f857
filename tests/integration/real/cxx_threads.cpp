/*
 * cxx_threads.cpp — the threaded C++ workload of integration.real.cxx_threads.
 *
 * A three-stage pipeline built only on the standard library, run plain and
 * with the memprof shim preloaded (cxx_threads.sh); both runs must print the
 * same lines and exit the same way.
 *
 *   producers ──shared_ptr<Item>──▶ workers ──shared_ptr<Result>──▶ aggregators
 *               (bounded Channel)     │        (bounded Channel)
 *                                     └── every 5th item also kept in a
 *                                         registry (map under a mutex) that
 *                                         the main thread empties at the end
 *
 * What it puts through the allocator: objects allocated in one thread and
 * released in another (shared_ptr control blocks and payloads cross two
 * queues), std::string / std::vector growth (realloc-like patterns),
 * std::map and std::unordered_map nodes and rehashing, exceptions (the
 * runtime allocates each exception object with __cxa_allocate_exception,
 * i.e. malloc), large blocks over 32 KiB, a failing huge operator new that
 * must throw std::bad_alloc, and 64 short-lived threads (thread caches
 * created and torn down).
 *
 * Output is deterministic whatever the scheduling: every figure is a count
 * or a sum (mod 2^64) of per-item hashes computed only from item content.
 * Exit status: 0 when the internal consistency checks hold, 1 otherwise.
 */
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

constexpr int kProducers = 3;
constexpr int kWorkers = 3;
constexpr int kAggregators = 2;
constexpr int kItemsPerProducer = 12000;
constexpr int kShortThreads = 64;

uint64_t fnv(const void *p, size_t n, uint64_t h = 1469598103934665603ull) {
    const unsigned char *b = static_cast<const unsigned char *>(p);
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

uint64_t fnv(const std::string &s, uint64_t h = 1469598103934665603ull) {
    return fnv(s.data(), s.size(), h);
}

struct Lcg {
    uint64_t s;
    explicit Lcg(uint64_t seed) : s(seed * 6364136223846793005ull + 1442695040888963407ull) {}
    uint32_t next() {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>(s >> 33);
    }
    uint32_t below(uint32_t n) { return next() % n; }
};

/* A bounded multi-producer multi-consumer queue: a mutex, two condition
 * variables and a deque. close() wakes everyone; pop() returns nullopt once
 * the queue is closed and drained. */
template <class T> class Channel {
  public:
    explicit Channel(size_t cap) : cap_(cap) {}
    void push(T v) {
        std::unique_lock<std::mutex> lk(m_);
        not_full_.wait(lk, [&] { return q_.size() < cap_; });
        q_.push_back(std::move(v));
        not_empty_.notify_one();
    }
    std::optional<T> pop() {
        std::unique_lock<std::mutex> lk(m_);
        not_empty_.wait(lk, [&] { return !q_.empty() || closed_; });
        if (q_.empty())
            return std::nullopt;
        T v = std::move(q_.front());
        q_.pop_front();
        not_full_.notify_one();
        return v;
    }
    void close() {
        std::lock_guard<std::mutex> lk(m_);
        closed_ = true;
        not_empty_.notify_all();
    }

  private:
    std::mutex m_;
    std::condition_variable not_empty_, not_full_;
    std::deque<T> q_;
    size_t cap_;
    bool closed_ = false;
};

struct Item {
    uint64_t id;
    std::string name;
    std::vector<uint64_t> data;
    std::map<std::string, int> attrs;
};

struct Result {
    std::shared_ptr<const Item> item; /* shared with the registry, sometimes */
    std::string summary;
    uint64_t hash;
};

std::shared_ptr<Item> make_item(int producer, int seq, Lcg &rng) {
    auto it = std::make_shared<Item>();
    it->id = static_cast<uint64_t>(producer) * 1000000u + static_cast<uint64_t>(seq);
    int len = 1 + static_cast<int>(rng.below(90));
    for (int i = 0; i < len; i++)
        it->name.push_back(static_cast<char>('a' + rng.below(26)));
    int n = static_cast<int>(rng.below(200));
    if (seq % 997 == 0)
        n = 9000 + static_cast<int>(rng.below(9000)); /* > 32 KiB: a large block */
    for (int i = 0; i < n; i++)
        it->data.push_back(rng.next()); /* grows by doubling: realloc-like */
    int na = static_cast<int>(rng.below(6));
    for (int i = 0; i < na; i++)
        it->attrs["k" + std::to_string(rng.below(50))] += static_cast<int>(rng.below(1000));
    return it;
}

uint64_t item_hash(const Item &it) {
    uint64_t h = fnv(&it.id, sizeof it.id);
    h = fnv(it.name, h);
    if (!it.data.empty())
        h = fnv(it.data.data(), it.data.size() * sizeof(uint64_t), h);
    for (const auto &kv : it.attrs) {
        h = fnv(kv.first, h);
        h = fnv(&kv.second, sizeof kv.second, h);
    }
    return h;
}

/* Throws for some items, from a couple of frames down, with a message long
 * enough that the string is heap-allocated. */
void validate(const Item &it, int depth) {
    if (depth > 0)
        return validate(it, depth - 1);
    if (it.id % 13 == 0)
        throw std::runtime_error("item " + std::to_string(it.id) + " rejected: " + it.name +
                                 std::string(64, '!'));
    if (it.id % 17 == 0)
        throw std::out_of_range(std::string("short"));
}

std::mutex registry_mu;
std::map<uint64_t, std::shared_ptr<const Item>> registry; /* guarded by registry_mu */

struct WorkerStats {
    uint64_t processed = 0, runtime_errors = 0, range_errors = 0;
};

void worker(Channel<std::shared_ptr<Item>> &in, Channel<std::shared_ptr<Result>> &out,
            WorkerStats &st) {
    while (auto got = in.pop()) {
        std::shared_ptr<const Item> item = std::move(*got);
        try {
            validate(*item, static_cast<int>(item->id % 4));
        } catch (const std::runtime_error &e) {
            st.runtime_errors++;
            if (std::string(e.what()).find("rejected") == std::string::npos)
                st.runtime_errors += 1000000; /* shows up as a mismatch */
        } catch (const std::out_of_range &) {
            st.range_errors++;
        }
        /* Word counts over 3-letter windows: unordered_map nodes, rehashes. */
        std::unordered_map<std::string, uint64_t> grams;
        for (size_t i = 0; i + 3 <= item->name.size(); i++)
            grams[item->name.substr(i, 3)]++;
        std::vector<std::pair<std::string, uint64_t>> sorted(grams.begin(), grams.end());
        std::sort(sorted.begin(), sorted.end());
        auto r = std::make_shared<Result>();
        r->item = item;
        for (const auto &g : sorted)
            r->summary += g.first + ":" + std::to_string(g.second) + ";";
        std::vector<uint64_t> data(item->data);
        std::sort(data.begin(), data.end());
        r->hash = fnv(r->summary, item_hash(*item));
        if (!data.empty())
            r->hash ^= fnv(data.data(), data.size() * sizeof(uint64_t));
        if (item->id % 5 == 0) {
            std::lock_guard<std::mutex> lk(registry_mu);
            registry[item->id] = item;
        }
        st.processed++;
        out.push(std::move(r));
    }
}

struct AggStats {
    uint64_t results = 0, sum = 0, xored = 0, summary_bytes = 0, big = 0;
};

void aggregator(Channel<std::shared_ptr<Result>> &in, AggStats &st) {
    thread_local std::vector<std::string> recent; /* per-thread, cleared often */
    while (auto got = in.pop()) {
        std::shared_ptr<Result> r = std::move(*got);
        st.results++;
        st.sum += r->hash;
        st.xored ^= r->hash;
        st.summary_bytes += r->summary.size();
        recent.push_back(r->summary);
        if (recent.size() > 500) {
            recent.clear();
            recent.shrink_to_fit();
        }
        if (r->item->data.size() > 4096) { /* copy a big one: > 32 KiB again */
            std::vector<uint64_t> copy(r->item->data.rbegin(), r->item->data.rend());
            st.big += copy.size();
        }
        /* r (and maybe the last reference to its Item) is freed here, in a
         * different thread from the one that allocated it. */
    }
}

/* Threads that live briefly: each allocates, frees some, exits holding
 * nothing. Results are returned through a pre-sized vector. */
void short_lived(int id, uint64_t *out) {
    Lcg rng(static_cast<uint64_t>(id) + 77);
    std::vector<std::unique_ptr<std::string>> keep;
    uint64_t h = 0;
    for (int i = 0; i < 3000; i++) {
        auto s = std::make_unique<std::string>(1 + rng.below(300), static_cast<char>('A' + id % 26));
        h += fnv(*s);
        if (rng.below(4) == 0)
            keep.push_back(std::move(s));
    }
    std::map<int, std::string> m;
    for (auto &k : keep)
        m[static_cast<int>(k->size())] += *k;
    for (auto &kv : m)
        h ^= fnv(kv.second) + static_cast<uint64_t>(kv.first);
    *out = h;
}

} // namespace

int main() {
    int bad = 0;

    /* 1. A huge request must fail cleanly: malloc returns NULL, new throws. */
    {
        volatile size_t huge = static_cast<size_t>(1) << 62;
        try {
            void *p = ::operator new(huge);
            std::printf("huge operator new: succeeded?!\n");
            ::operator delete(p);
            bad = 1;
        } catch (const std::bad_alloc &) {
            std::printf("huge operator new: bad_alloc\n");
        }
    }

    /* 2. The pipeline. */
    Channel<std::shared_ptr<Item>> items(256);
    Channel<std::shared_ptr<Result>> results(256);
    std::vector<WorkerStats> wstats(kWorkers);
    std::vector<AggStats> astats(kAggregators);
    std::vector<std::thread> producers, workers, aggs;
    for (int a = 0; a < kAggregators; a++)
        aggs.emplace_back(aggregator, std::ref(results), std::ref(astats[a]));
    for (int w = 0; w < kWorkers; w++)
        workers.emplace_back(worker, std::ref(items), std::ref(results), std::ref(wstats[w]));
    std::atomic<uint64_t> produced_hash{0};
    for (int p = 0; p < kProducers; p++)
        producers.emplace_back([p, &items, &produced_hash] {
            Lcg rng(static_cast<uint64_t>(p) + 1);
            uint64_t h = 0;
            for (int i = 0; i < kItemsPerProducer; i++) {
                auto it = make_item(p, i, rng);
                h += item_hash(*it);
                items.push(std::move(it));
            }
            produced_hash += h;
        });
    for (auto &t : producers)
        t.join();
    items.close();
    for (auto &t : workers)
        t.join();
    results.close();
    for (auto &t : aggs)
        t.join();

    WorkerStats wt;
    for (const auto &s : wstats) {
        wt.processed += s.processed;
        wt.runtime_errors += s.runtime_errors;
        wt.range_errors += s.range_errors;
    }
    AggStats at;
    for (const auto &s : astats) {
        at.results += s.results;
        at.sum += s.sum;
        at.xored ^= s.xored;
        at.summary_bytes += s.summary_bytes;
        at.big += s.big;
    }
    const uint64_t total = static_cast<uint64_t>(kProducers) * kItemsPerProducer;
    std::printf("items produced: %llu, hash %016llx\n", static_cast<unsigned long long>(total),
                static_cast<unsigned long long>(produced_hash.load()));
    std::printf("workers: processed %llu, runtime_error %llu, out_of_range %llu\n",
                static_cast<unsigned long long>(wt.processed),
                static_cast<unsigned long long>(wt.runtime_errors),
                static_cast<unsigned long long>(wt.range_errors));
    std::printf("aggregators: results %llu, sum %016llx, xor %016llx, summary bytes %llu, big %llu\n",
                static_cast<unsigned long long>(at.results), static_cast<unsigned long long>(at.sum),
                static_cast<unsigned long long>(at.xored),
                static_cast<unsigned long long>(at.summary_bytes),
                static_cast<unsigned long long>(at.big));
    if (wt.processed != total || at.results != total)
        bad = 1;

    /* 3. The registry: the last references to these items, released by the
     * main thread, half by erase and the rest by clear. */
    {
        std::lock_guard<std::mutex> lk(registry_mu);
        uint64_t h = 0, n = registry.size(), uses = 0;
        for (auto it = registry.begin(); it != registry.end();) {
            uses += static_cast<uint64_t>(it->second.use_count());
            h += item_hash(*it->second);
            it = (it->first % 2) ? registry.erase(it) : std::next(it);
        }
        std::printf("registry: %llu items, hash %016llx, use_count sum %llu, kept %zu\n",
                    static_cast<unsigned long long>(n), static_cast<unsigned long long>(h),
                    static_cast<unsigned long long>(uses), registry.size());
        registry.clear();
    }

    /* 4. Short-lived threads, a few at a time. */
    std::vector<uint64_t> sh(kShortThreads);
    for (int base = 0; base < kShortThreads; base += 8) {
        std::vector<std::thread> batch;
        for (int i = base; i < base + 8; i++)
            batch.emplace_back(short_lived, i, &sh[static_cast<size_t>(i)]);
        for (auto &t : batch)
            t.join();
    }
    uint64_t shs = 0;
    for (uint64_t v : sh)
        shs = shs * 31 + v;
    std::printf("short-lived threads: %d, hash %016llx\n", kShortThreads,
                static_cast<unsigned long long>(shs));

    std::printf("%s\n", bad ? "INCONSISTENT" : "consistent");
    return bad;
}
