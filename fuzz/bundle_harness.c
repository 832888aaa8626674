#define _GNU_SOURCE /* memfd_create, scandir */
#include "bundle_harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edgetam.h"

/* assert() is compiled out in the optimised builds the fuzzer uses */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz bundle: contract violated: %s (%s:%d)\n", #cond, __FILE__,       \
                    __LINE__);                                                                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* ---- zip: just what torch's archives need (no zip64, no compression when writing) ---------- */

enum {
    LOCAL_SIG = 0x04034b50,
    CENTRAL_SIG = 0x02014b50,
    END_SIG = 0x06054b50,
    LOCAL_SIZE = 30,
    CENTRAL_SIZE = 46,
    END_SIZE = 22
};

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static uint8_t *wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}
static uint8_t *wr32(uint8_t *p, uint32_t v) { return wr16(wr16(p, v), v >> 16); }

static uint32_t crc32(const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    if (!table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ c >> 1 : c >> 1;
            table[i] = c;
        }
    }
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ c >> 8;
    return ~c;
}

/* A member as the central directory describes it. */
typedef struct entry {
    size_t local; /* offset of the local header */
    size_t data;  /* offset of the data, or 0 if the local header is not there */
    uint32_t method, compressed_size, size;
    const char *name;
    size_t name_size;
} entry;

/* Walks the central directory found through the end record. */
typedef struct cursor {
    const uint8_t *zip;
    size_t size, pos;
    uint32_t left;
} cursor;

static int cursor_init(cursor *c, const uint8_t *zip, size_t size)
{
    if (size < END_SIZE) return 0;
    /* the end record is followed by a comment of at most 65535 bytes */
    const size_t lowest = size - END_SIZE > 65535 ? size - END_SIZE - 65535 : 0;
    for (size_t i = size - END_SIZE + 1; i-- > lowest;) {
        if (rd32(zip + i) == END_SIG) {
            *c = (cursor){zip, size, rd32(zip + i + 16), rd16(zip + i + 10)};
            return 1;
        }
    }
    return 0;
}

static int cursor_next(cursor *c, entry *e)
{
    const uint8_t *z = c->zip;
    if (!c->left || c->pos > c->size || c->size - c->pos < CENTRAL_SIZE ||
        rd32(z + c->pos) != CENTRAL_SIG)
        return 0;
    const uint8_t *h = z + c->pos;
    const size_t name_size = rd16(h + 28), total = CENTRAL_SIZE + name_size + rd16(h + 30) + rd16(h + 32);
    if (c->size - c->pos < total) return 0;
    *e = (entry){rd32(h + 42), 0, rd16(h + 10), rd32(h + 20), rd32(h + 24),
                 (const char *)h + CENTRAL_SIZE, name_size};
    if (e->local < c->size && c->size - e->local >= LOCAL_SIZE && rd32(z + e->local) == LOCAL_SIG) {
        const size_t data = e->local + LOCAL_SIZE + rd16(z + e->local + 26) + rd16(z + e->local + 28);
        if (data <= c->size && c->size - data >= e->compressed_size) e->data = data;
    }
    c->pos += total;
    c->left--;
    return 1;
}

/* Lists the members of an archive whose members are all stored uncompressed. Returns their
 * number, or -1 if the archive is not like that or has more than `capacity` members. */
static int zip_list_stored(const uint8_t *zip, size_t size, zip_member *members, int capacity)
{
    cursor c;
    entry e;
    if (!cursor_init(&c, zip, size)) return -1;
    int n = 0;
    while (cursor_next(&c, &e)) {
        if (n == capacity || e.method != 0 || !e.data || e.compressed_size != e.size) return -1;
        members[n++] = (zip_member){e.name, e.name_size, zip + e.data, e.size};
    }
    return c.left ? -1 : n;
}

uint8_t *zip_store(const zip_member *members, int count, size_t *size)
{
    size_t total = END_SIZE;
    for (int i = 0; i < count; i++)
        total += LOCAL_SIZE + CENTRAL_SIZE + 2 * members[i].name_size + members[i].size;
    uint8_t *zip = calloc(total, 1);
    uint32_t *offset = calloc(2 * (size_t)count + 1, sizeof *offset), *crc = offset + count;
    REQUIRE(zip && offset);
    uint8_t *p = zip;
    for (int i = 0; i < count; i++) {
        const zip_member *m = &members[i];
        offset[i] = (uint32_t)(p - zip);
        crc[i] = crc32(m->data, m->size);
        p = wr32(p, LOCAL_SIG);
        p = wr16(p, 20);         /* version needed: 2.0 */
        p = wr16(wr16(p, 0), 0); /* flags; method: stored */
        p = wr32(p, 0x210000);   /* time 00:00, date 1980-01-01 */
        p = wr32(wr32(wr32(p, crc[i]), (uint32_t)m->size), (uint32_t)m->size);
        p = wr16(wr16(p, (uint32_t)m->name_size), 0); /* no extra field */
        memcpy(p, m->name, m->name_size);
        p += m->name_size;
        memcpy(p, m->data, m->size);
        p += m->size;
    }
    const uint32_t central = (uint32_t)(p - zip);
    for (int i = 0; i < count; i++) {
        const zip_member *m = &members[i];
        p = wr32(p, CENTRAL_SIG);
        p = wr16(wr16(p, 20), 20); /* version made by, needed */
        p = wr16(wr16(p, 0), 0);   /* flags; method: stored */
        p = wr32(p, 0x210000);
        p = wr32(wr32(wr32(p, crc[i]), (uint32_t)m->size), (uint32_t)m->size);
        p = wr16(p, (uint32_t)m->name_size);
        p += 12; /* extra and comment lengths, disk, attributes: all 0 */
        p = wr32(p, offset[i]);
        memcpy(p, m->name, m->name_size);
        p += m->name_size;
    }
    const uint32_t end = (uint32_t)(p - zip);
    p = wr32(p, END_SIG);
    p += 4; /* disk numbers: 0 */
    p = wr16(wr16(p, (uint32_t)count), (uint32_t)count);
    wr32(wr32(p, end - central), central); /* no comment */
    free(offset);
    *size = total;
    return zip;
}

/* ---- templates ----------------------------------------------------------------------------- */

/* the kind this harness fuzzes: ".edgetam" (TorchScript) or ".pte" (ExecuTorch) */
static const char kSuffix[] = EDGETAM_FUZZ_TEMPLATE_SUFFIX;

static int is_template(const struct dirent *d)
{
    const size_t n = strlen(d->d_name), suffix = sizeof kSuffix - 1;
    return n > suffix && strcmp(d->d_name + n - suffix, kSuffix) == 0;
}

/* Where the data of an ExecuTorch program's segments starts: its extended header ("eh00" at
 * byte 8, then the header's length, the program's size and this offset, little-endian). */
static size_t pte_segments(const uint8_t *file, size_t size)
{
    REQUIRE(size >= 32 && memcmp(file + 8, "eh00", 4) == 0);
    const uint64_t offset = rd64(file + 24);
    REQUIRE(offset > 0 && offset < size);
    return (size_t)offset;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int bundle_templates_load(const bundle_template **templates)
{
    static bundle_template loaded[16];
    static int count = -1;
    if (count >= 0) {
        *templates = loaded;
        return count;
    }
    struct dirent **names;
    const int n = scandir(EDGETAM_FUZZ_TEMPLATES, &names, is_template, by_name);
    REQUIRE(n > 0 && n <= (int)(sizeof loaded / sizeof *loaded));
    for (int i = 0; i < n; i++) {
        bundle_template *t = &loaded[i];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", EDGETAM_FUZZ_TEMPLATES, names[i]->d_name);
        t->name = strdup(names[i]->d_name);
        FILE *f = fopen(path, "rb");
        REQUIRE(f && t->name && fseek(f, 0, SEEK_END) == 0);
        const long size = ftell(f);
        REQUIRE(size > 0 && fseek(f, 0, SEEK_SET) == 0);
        t->size = (size_t)size;
        t->file = malloc(t->size);
        REQUIRE(t->file && fread(t->file, 1, t->size, f) == t->size);
        fclose(f);
        if (strcmp(kSuffix, ".pte") == 0) {
            t->segments = pte_segments(t->file, t->size);
        } else {
            t->count = zip_list_stored(t->file, t->size, t->members, TEMPLATE_MAX_MEMBERS);
            REQUIRE(t->count > 0);
        }
        free(names[i]);
    }
    free(names);
    REQUIRE(strncmp(loaded[0].name, "stub.", 5) == 0 && strcmp(loaded[0].name + 4, kSuffix) == 0);
    count = n;
    *templates = loaded;
    return count;
}

int member_in_folder(const zip_member *m, const char *folder)
{
    const char *slash = memchr(m->name, '/', m->name_size);
    const size_t n = strlen(folder);
    return slash && (size_t)(m->name + m->name_size - slash) > n + 1 &&
           memcmp(slash + 1, folder, n) == 0 && slash[n + 1] == '/';
}

/* ---- one run of a bundle ------------------------------------------------------------------- */

#define FRAME_W 40
#define FRAME_H 30

/* The result slot's buffers (frame size, and the model's (S/4)^2 low-res logits). */
typedef struct result_buffers {
    uint8_t mask[FRAME_W * FRAME_H];
    float probability[FRAME_W * FRAME_H];
    float *low_res;
} result_buffers;

static edgetam_object_result result_slot(result_buffers *b)
{
    edgetam_object_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.mask = b->mask;
    r.mask_stride = FRAME_W;
    r.probability = b->probability;
    r.probability_stride = FRAME_W;
    r.low_res_logits = b->low_res;
    return r;
}

/* What edgetam.h promises about a result whatever the model computed: a 0/255 mask whose pixel
 * count is `area` and whose bounding box is `box`. */
static void check_result(const edgetam_object_result *r, int32_t id)
{
    int64_t area = 0;
    edgetam_box box = {FRAME_W, FRAME_H, 0, 0};
    for (int y = 0; y < FRAME_H; y++) {
        for (int x = 0; x < FRAME_W; x++) {
            const uint8_t v = r->mask[y * FRAME_W + x];
            REQUIRE(v == 0 || v == 255);
            if (!v) continue;
            area++;
            box.x0 = x < box.x0 ? x : box.x0;
            box.y0 = y < box.y0 ? y : box.y0;
            box.x1 = x + 1 > box.x1 ? x + 1 : box.x1;
            box.y1 = y + 1 > box.y1 ? y + 1 : box.y1;
        }
    }
    if (!area) box = (edgetam_box){0, 0, 0, 0};
    REQUIRE(r->object_id == id && r->area == area);
    REQUIRE(r->box.x0 == box.x0 && r->box.y0 == box.y0 && r->box.x1 == box.x1 &&
            r->box.y1 == box.y1);
}

/* A failed tracker call on a model that loaded: the model may fail at run time (the warm-up ran
 * it on zeros only) or run out of memory; nothing else. */
static void check_failure(edgetam_tracker *t, edgetam_status st)
{
    REQUIRE(st == EDGETAM_ERR_INFERENCE || st == EDGETAM_ERR_OUT_OF_MEMORY);
    REQUIRE(edgetam_tracker_last_error(t)[0] != '\0');
}

static void track_and_click(edgetam_model *model)
{
    uint8_t pixels[FRAME_H][FRAME_W * 3];
    for (int y = 0; y < FRAME_H; y++)
        for (int x = 0; x < FRAME_W * 3; x++) pixels[y][x] = (uint8_t)(x * 5 + y * 11);
    edgetam_frame frame = edgetam_frame_default();
    frame.format = EDGETAM_FORMAT_RGB24;
    frame.width = FRAME_W;
    frame.height = FRAME_H;
    frame.planes.data[0] = &pixels[0][0];
    frame.planes.stride[0] = FRAME_W * 3;

    const edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    edgetam_status st = edgetam_tracker_create(model, &tp, &t);
    if (st != EDGETAM_OK) {
        REQUIRE(st == EDGETAM_ERR_OUT_OF_MEMORY && !t);
        return;
    }
    const size_t low_res_side = (size_t)edgetam_model_input_size(model) / 4;
    result_buffers *b = malloc(sizeof *b);
    REQUIRE(b);
    b->low_res = malloc(low_res_side * low_res_side * sizeof(float));
    REQUIRE(b->low_res);
    edgetam_object_result r = result_slot(b);
    int32_t count = -1;

    st = edgetam_tracker_track(t, &frame, &r, 1, &count);
    const int have_frame = st == EDGETAM_OK;
    if (have_frame)
        REQUIRE(count == 0);
    else
        check_failure(t, st);

    const edgetam_point click = {FRAME_W / 2, FRAME_H / 2, 1};
    edgetam_prompt prompt = edgetam_prompt_default();
    prompt.points = &click;
    prompt.num_points = 1;
    st = edgetam_tracker_add_prompt(t, 1, &prompt, &r);
    const int have_object = st == EDGETAM_OK;
    if (have_object)
        check_result(&r, 1);
    else if (have_frame)
        check_failure(t, st);
    else
        REQUIRE(st == EDGETAM_ERR_NO_FRAME);

    r = result_slot(b);
    st = edgetam_tracker_track(t, &frame, &r, 1, &count);
    if (st == EDGETAM_OK) {
        REQUIRE(count == have_object);
        if (have_object) check_result(&r, 1);
    } else {
        check_failure(t, st);
    }
    REQUIRE(edgetam_tracker_object_count(t) == have_object);

    edgetam_tracker_destroy(t);
    free(b->low_res);
    free(b);
}

void fuzz_run_bundle(const uint8_t *file, size_t size)
{
    /* an in-memory file, reopened by path: no disk I/O and nothing to clean up */
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("edgetam-fuzz-bundle", MFD_CLOEXEC);
        REQUIRE(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    REQUIRE(ftruncate(fd, 0) == 0);
    for (size_t done = 0; done < size;) {
        const ssize_t n = pwrite(fd, file + done, size - done, (off_t)done);
        REQUIRE(n > 0);
        done += (size_t)n;
    }

    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 1;
    edgetam_model *model = NULL;
    char error[512];
    const edgetam_status st = edgetam_model_load(path, &mp, &model, error, sizeof error);
    if (st != EDGETAM_OK) {
        REQUIRE(st == EDGETAM_ERR_MODEL_LOAD || st == EDGETAM_ERR_BAD_BUNDLE ||
                st == EDGETAM_ERR_OUT_OF_MEMORY);
        REQUIRE(!model && error[0] != '\0');
        return;
    }
    const int32_t s = edgetam_model_input_size(model);
    REQUIRE(model && s >= 16 && s <= 4096 && s % 16 == 0);
    track_and_click(model);
    edgetam_model_free(model);
}
