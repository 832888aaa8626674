#include "video_writer.h"

#include <stdio.h>
#include <stdlib.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

/* The encoder's first supported pixel format. libavcodec 61.13 (FFmpeg 7.1, Debian 13) replaced
 * AVCodec.pix_fmts, now deprecated, by avcodec_get_supported_config; FFmpeg 5.1 (Debian 12) has
 * only the field. */
static enum AVPixelFormat preferred_pix_fmt(const AVCodecContext *e, const AVCodec *codec)
{
    const enum AVPixelFormat *fmts = NULL;
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
    if (avcodec_get_supported_config(e, codec, AV_CODEC_CONFIG_PIX_FORMAT, 0,
                                     (const void **)&fmts, NULL) < 0)
        fmts = NULL;
#else
    (void)e;
    fmts = codec->pix_fmts;
#endif
    return fmts ? fmts[0] : AV_PIX_FMT_YUV420P;
}

struct video_writer {
    AVFormatContext *format;
    AVCodecContext *encoder;
    AVStream *stream;
    AVFrame *frame;
    AVPacket *packet;
    struct SwsContext *from_rgb;
    int32_t width, height; /* of the pictures added */
    int64_t next_pts;
    int header_written;
};

static int failed(const char *what, int err)
{
    fprintf(stderr, "video output: %s: %s\n", what, av_err2str(err));
    return -1;
}

/* Sends `frame` (NULL: flush) and writes every packet the encoder has ready. */
static int encode(video_writer *w, const AVFrame *frame)
{
    int err = avcodec_send_frame(w->encoder, frame);
    if (err < 0) return failed("encoding", err);
    while ((err = avcodec_receive_packet(w->encoder, w->packet)) >= 0) {
        if (!w->packet->duration) w->packet->duration = 1; /* one frame: else MP4 cuts the last */
        av_packet_rescale_ts(w->packet, w->encoder->time_base, w->stream->time_base);
        w->packet->stream_index = w->stream->index;
        if ((err = av_interleaved_write_frame(w->format, w->packet)) < 0) return failed("writing", err);
    }
    return err == AVERROR(EAGAIN) || err == AVERROR_EOF ? 0 : failed("encoding", err);
}

static void release(video_writer *w)
{
    if (w->format && !(w->format->oformat->flags & AVFMT_NOFILE)) avio_closep(&w->format->pb);
    avformat_free_context(w->format);
    avcodec_free_context(&w->encoder);
    av_frame_free(&w->frame);
    av_packet_free(&w->packet);
    sws_freeContext(w->from_rgb);
    free(w);
}

video_writer *video_writer_open(const char *path, int32_t width, int32_t height, double fps)
{
    av_log_set_level(AV_LOG_ERROR); /* encoders such as libx264 report statistics otherwise */
    video_writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->width = width;
    w->height = height;
    int err = avformat_alloc_output_context2(&w->format, NULL, NULL, path);
    const AVCodec *codec = err >= 0 ? avcodec_find_encoder(w->format->oformat->video_codec) : NULL;
    if (err >= 0 && !codec) err = AVERROR_ENCODER_NOT_FOUND;
    if (err >= 0 && (!(w->stream = avformat_new_stream(w->format, NULL)) ||
                     !(w->encoder = avcodec_alloc_context3(codec)) ||
                     !(w->frame = av_frame_alloc()) || !(w->packet = av_packet_alloc())))
        err = AVERROR(ENOMEM);
    if (err >= 0) {
        AVCodecContext *e = w->encoder;
        e->width = width & ~1; /* 4:2:0 encoders want even sizes */
        e->height = height & ~1;
        e->time_base = av_d2q(1.0 / (fps > 0 ? fps : 25.0), 100000);
        e->framerate = av_inv_q(e->time_base);
        e->pix_fmt = preferred_pix_fmt(e, codec);
        e->bit_rate = (int64_t)e->width * e->height * 4; /* ~4 bits per pixel per second */
        if (w->format->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        err = avcodec_open2(e, codec, NULL);
    }
    if (err >= 0) err = avcodec_parameters_from_context(w->stream->codecpar, w->encoder);
    if (err >= 0) {
        w->stream->time_base = w->encoder->time_base;
        w->frame->format = w->encoder->pix_fmt;
        w->frame->width = w->encoder->width;
        w->frame->height = w->encoder->height;
        err = av_frame_get_buffer(w->frame, 0);
    }
    if (err >= 0 && !(w->from_rgb = sws_getContext(width, height, AV_PIX_FMT_RGB24, w->encoder->width,
                                                   w->encoder->height, w->encoder->pix_fmt,
                                                   SWS_BILINEAR, NULL, NULL, NULL)))
        err = AVERROR(EINVAL);
    if (err >= 0 && !(w->format->oformat->flags & AVFMT_NOFILE))
        err = avio_open(&w->format->pb, path, AVIO_FLAG_WRITE);
    if (err >= 0) err = avformat_write_header(w->format, NULL);
    if (err < 0) {
        failed(path, err);
        release(w);
        return NULL;
    }
    w->header_written = 1;
    return w;
}

int video_writer_add(video_writer *w, const uint8_t *rgb)
{
    const int err = av_frame_make_writable(w->frame);
    if (err < 0) return failed("frame", err);
    const uint8_t *const src[4] = {rgb};
    const int src_stride[4] = {3 * w->width};
    sws_scale(w->from_rgb, src, src_stride, 0, w->height, w->frame->data, w->frame->linesize);
    w->frame->pts = w->next_pts++;
    return encode(w, w->frame);
}

int video_writer_close(video_writer *w)
{
    if (!w) return 0;
    int status = encode(w, NULL);
    if (w->header_written) {
        const int err = av_write_trailer(w->format);
        if (err < 0) status = failed("finishing the file", err);
    }
    release(w);
    return status;
}
