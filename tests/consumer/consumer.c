/* A program that uses an installed edgetam the way any C program would (tests/consumer_test.sh):
 * it includes <edgetam.h>, links the library found by find_package(edgetam) or pkg-config, checks
 * the version, converts a frame and, given a bundle, tracks a clicked object on it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <edgetam.h>

#define W 64
#define H 48

int main(int argc, char **argv)
{
    if (edgetam_version_number() != EDGETAM_VERSION_NUMBER) {
        fprintf(stderr, "header %d, library %u\n", EDGETAM_VERSION_NUMBER, edgetam_version_number());
        return 1;
    }
    static uint8_t rgb[H][W * 3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W * 3; x++) rgb[y][x] = (uint8_t)(x + 3 * y);
    edgetam_frame frame = edgetam_frame_default();
    frame.format = EDGETAM_FORMAT_RGB24;
    frame.width = W;
    frame.height = H;
    frame.planes.data[0] = &rgb[0][0];
    frame.planes.stride[0] = W * 3;

    edgetam_converter_params cp = edgetam_converter_default_params();
    cp.input_size = 32;
    edgetam_converter *conv = NULL;
    if (edgetam_converter_create(&cp, &conv) != EDGETAM_OK ||
        edgetam_convert_frame(conv, &frame) != EDGETAM_OK) {
        fprintf(stderr, "conversion failed: %s\n", edgetam_converter_last_error(conv));
        return 1;
    }
    edgetam_converter_destroy(conv);
    if (argc < 2) {
        printf("consumer: edgetam %s, converted a frame\n", edgetam_version_string());
        return 0;
    }

    char err[256];
    edgetam_model_params mp = edgetam_model_default_params();
    edgetam_model *model = NULL;
    if (edgetam_model_load(argv[1], &mp, &model, err, sizeof err) != EDGETAM_OK) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], err);
        return 1;
    }
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *tracker = NULL;
    static uint8_t mask[W * H];
    edgetam_object_result result;
    memset(&result, 0, sizeof result);
    result.struct_size = sizeof result;
    result.mask = mask;
    result.mask_stride = W;
    const edgetam_point click = {W / 2, H / 2, 1};
    edgetam_prompt prompt = edgetam_prompt_default();
    prompt.points = &click;
    prompt.num_points = 1;
    int32_t count = 0;
    const int ok = edgetam_tracker_create(model, &tp, &tracker) == EDGETAM_OK &&
                   edgetam_tracker_track(tracker, &frame, NULL, 0, NULL) == EDGETAM_OK &&
                   edgetam_tracker_add_prompt(tracker, 1, &prompt, NULL) == EDGETAM_OK &&
                   edgetam_tracker_track(tracker, &frame, &result, 1, &count) == EDGETAM_OK &&
                   count == 1 && result.object_id == 1;
    if (!ok) fprintf(stderr, "tracking failed: %s\n", edgetam_tracker_last_error(tracker));
    else printf("consumer: edgetam %s, tracked object 1 (area %lld)\n", edgetam_version_string(),
                (long long)result.area);
    edgetam_tracker_destroy(tracker);
    edgetam_model_free(model);
    return ok ? 0 : 1;
}
