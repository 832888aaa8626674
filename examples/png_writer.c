#include "png_writer.h"

#include <stdio.h>

#include <libavcodec/avcodec.h>

int png_write(const char *path, const uint8_t *rgb, int32_t width, int32_t height)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    AVCodecContext *enc = codec ? avcodec_alloc_context3(codec) : NULL;
    AVFrame *frame = av_frame_alloc();
    AVPacket *packet = av_packet_alloc();
    int err = enc && frame && packet ? 0 : AVERROR(ENOMEM);
    if (!err) {
        enc->width = width;
        enc->height = height;
        enc->pix_fmt = AV_PIX_FMT_RGB24;
        enc->time_base = (AVRational){1, 1};
        err = avcodec_open2(enc, codec, NULL);
    }
    if (!err) {
        frame->format = AV_PIX_FMT_RGB24;
        frame->width = width;
        frame->height = height;
        frame->data[0] = (uint8_t *)rgb; /* only read */
        frame->linesize[0] = 3 * width;
        err = avcodec_send_frame(enc, frame);
    }
    if (!err) err = avcodec_receive_packet(enc, packet);
    if (!err) {
        FILE *f = fopen(path, "wb");
        const int ok = f && fwrite(packet->data, 1, (size_t)packet->size, f) == (size_t)packet->size;
        if ((f && fclose(f) != 0) || !ok) err = AVERROR(EIO);
    }
    if (err) fprintf(stderr, "cannot write %s: %s\n", path, av_err2str(err));
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&enc);
    return err ? -1 : 0;
}
