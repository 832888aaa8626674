#define _DEFAULT_SOURCE /* scandir, strcasecmp */
#include "video_source.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

struct video_source {
    char **files; /* folder: the image files, in name order */
    int file_count, next_file;
    AVFormatContext *format;
    AVCodecContext *decoder;
    int stream, draining;
    AVPacket *packet;
    AVFrame *frame;
    double fps;
    int converted;
    struct SwsContext *to_rgb;
    uint8_t *rgb; /* RGB24 of the last frame: overlays, and frames edgetam does not read as they are */
    size_t rgb_size;
};

static void close_input(video_source *s)
{
    avcodec_free_context(&s->decoder);
    avformat_close_input(&s->format);
    s->draining = 0;
}

static int open_input(video_source *s, const char *path)
{
    int err = avformat_open_input(&s->format, path, NULL, NULL);
    if (err >= 0) err = avformat_find_stream_info(s->format, NULL);
    const AVCodec *codec = NULL;
    if (err >= 0) err = s->stream = av_find_best_stream(s->format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (err >= 0 && !(s->decoder = avcodec_alloc_context3(codec))) err = AVERROR(ENOMEM);
    if (err >= 0) err = avcodec_parameters_to_context(s->decoder, s->format->streams[s->stream]->codecpar);
    if (err >= 0) err = avcodec_open2(s->decoder, codec, NULL);
    if (err < 0) {
        fprintf(stderr, "%s: %s\n", path, av_err2str(err));
        close_input(s);
        return -1;
    }
    const AVRational rate = s->format->streams[s->stream]->avg_frame_rate;
    if (!s->files && rate.num > 0 && rate.den > 0) s->fps = av_q2d(rate);
    return 0;
}

static int is_image(const struct dirent *d)
{
    static const char *const kExtensions[] = {".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".tif", ".tiff"};
    const char *dot = strrchr(d->d_name, '.');
    for (size_t i = 0; dot && i < sizeof kExtensions / sizeof *kExtensions; i++)
        if (!strcasecmp(dot, kExtensions[i])) return 1;
    return 0;
}

static int list_folder(video_source *s, const char *dir)
{
    struct dirent **names;
    const int n = scandir(dir, &names, is_image, alphasort);
    if (n <= 0) {
        fprintf(stderr, "%s: no image files (.png, .jpg, ...)\n", dir);
        return -1;
    }
    s->files = calloc((size_t)n, sizeof *s->files);
    for (int i = 0; i < n; i++) {
        const size_t size = strlen(dir) + strlen(names[i]->d_name) + 2;
        if (s->files && (s->files[i] = malloc(size)))
            snprintf(s->files[i], size, "%s/%s", dir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
    s->file_count = n;
    for (int i = 0; i < n; i++)
        if (!s->files || !s->files[i]) return -1;
    return 0;
}

video_source *video_source_open(const char *path)
{
    video_source *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    struct stat st;
    const int folder = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    s->packet = av_packet_alloc();
    s->frame = av_frame_alloc();
    if (!s->packet || !s->frame || (folder && list_folder(s, path) != 0) ||
        open_input(s, folder ? s->files[s->next_file++] : path) != 0) {
        video_source_close(s);
        return NULL;
    }
    return s;
}

/* The next decoded picture into s->frame: 1, 0 at the end of this input, -1 on an error. */
static int decode(video_source *s)
{
    for (;;) {
        int err = avcodec_receive_frame(s->decoder, s->frame);
        if (err >= 0) return 1;
        if (err == AVERROR_EOF) return 0;
        if (err != AVERROR(EAGAIN)) goto failed;
        err = av_read_frame(s->format, s->packet);
        if (err == AVERROR_EOF) {
            if (s->draining) return 0;
            s->draining = 1;
            err = avcodec_send_packet(s->decoder, NULL); /* flush the frames it holds */
        } else if (err >= 0) {
            if (s->packet->stream_index == s->stream) err = avcodec_send_packet(s->decoder, s->packet);
            av_packet_unref(s->packet);
        }
        if (err < 0 && err != AVERROR(EAGAIN)) goto failed;
        continue;
    failed:
        fprintf(stderr, "decoding failed: %s\n", av_err2str(err));
        return -1;
    }
}

/* Converts the frame to RGB24 in s->rgb. */
static int convert_to_rgb(video_source *s)
{
    const AVFrame *f = s->frame;
    const size_t size = (size_t)f->width * (size_t)f->height * 3;
    if (size > s->rgb_size) {
        free(s->rgb);
        if (!(s->rgb = malloc(size))) return -1;
        s->rgb_size = size;
    }
    s->to_rgb = sws_getCachedContext(s->to_rgb, f->width, f->height, f->format, f->width, f->height,
                                     AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
    if (!s->to_rgb) return -1;
    uint8_t *dst[4] = {s->rgb};
    int dst_stride[4] = {f->width * 3};
    sws_scale(s->to_rgb, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, dst_stride);
    return 0;
}

/* edgetam's name for the decoder's format, or -1 if it does not read it as it is. */
static int native_format(int av_format)
{
    switch (av_format) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P: return EDGETAM_FORMAT_I420;
    case AV_PIX_FMT_NV12: return EDGETAM_FORMAT_NV12;
    case AV_PIX_FMT_NV21: return EDGETAM_FORMAT_NV21;
    case AV_PIX_FMT_GRAY8: return EDGETAM_FORMAT_GRAY8;
    case AV_PIX_FMT_RGB24: return EDGETAM_FORMAT_RGB24;
    case AV_PIX_FMT_BGR24: return EDGETAM_FORMAT_BGR24;
    case AV_PIX_FMT_RGBA: return EDGETAM_FORMAT_RGBA;
    case AV_PIX_FMT_BGRA: return EDGETAM_FORMAT_BGRA;
    default: return -1;
    }
}

int video_source_next(video_source *s, edgetam_frame *frame)
{
    int got;
    while ((got = decode(s)) == 0 && s->files && s->next_file < s->file_count) {
        close_input(s);
        if (open_input(s, s->files[s->next_file++]) != 0) return -1;
    }
    if (got <= 0) return got;

    const AVFrame *f = s->frame;
    *frame = edgetam_frame_default();
    frame->width = f->width;
    frame->height = f->height;
    const int format = native_format(f->format);
    s->converted = format < 0 || f->linesize[0] < 0; /* bottom-up pictures: strides are positive */
    if (s->converted) {
        if (convert_to_rgb(s) != 0) return -1;
        frame->format = EDGETAM_FORMAT_RGB24;
        frame->planes.data[0] = s->rgb;
        frame->planes.stride[0] = (size_t)f->width * 3;
        return 1;
    }
    frame->format = (edgetam_pixel_format)format;
    for (int p = 0; p < 3 && f->data[p]; p++) {
        frame->planes.data[p] = f->data[p];
        frame->planes.stride[p] = (size_t)f->linesize[p];
    }
    frame->color_space = f->colorspace == AVCOL_SPC_BT709 ? EDGETAM_COLOR_SPACE_BT709
                                                          : EDGETAM_COLOR_SPACE_BT601;
    frame->color_range = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P
                             ? EDGETAM_COLOR_RANGE_FULL
                             : EDGETAM_COLOR_RANGE_VIDEO;
    return 1;
}

const char *video_source_pixel_format(const video_source *s, int *converted)
{
    if (converted) *converted = s->converted;
    const char *name = av_get_pix_fmt_name(s->frame->format);
    return name ? name : "unknown";
}

double video_source_fps(const video_source *s) { return s->fps; }

const uint8_t *video_source_rgb(video_source *s)
{
    if (!s->converted && convert_to_rgb(s) != 0) return NULL;
    return s->rgb;
}

void video_source_close(video_source *s)
{
    if (!s) return;
    close_input(s);
    av_packet_free(&s->packet);
    av_frame_free(&s->frame);
    sws_freeContext(s->to_rgb);
    free(s->rgb);
    for (int i = 0; s->files && i < s->file_count; i++) free(s->files[i]);
    free(s->files);
    free(s);
}
