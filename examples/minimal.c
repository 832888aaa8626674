/* The smallest complete program: load a bundle, click an object, track it through frames.
 *   cc minimal.c $(pkg-config --cflags --libs --static edgetam) && ./a.out edgetam.bundle */
#include <stdint.h>
#include <stdio.h>

#include <edgetam.h>

int main(int argc, char **argv)
{
    static uint8_t gray[240][320], mask[240][320]; /* your camera's pixels; your mask buffer */
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 320; x++) gray[y][x] = (x - 160) * (x - 160) + (y - 120) * (y - 120) < 2500 ? 220 : 40;
    edgetam_model_params mp = edgetam_model_default_params();
    edgetam_model *model = NULL;
    char err[256] = "usage: minimal BUNDLE";
    if (argc < 2 || edgetam_model_load(argv[1], &mp, &model, err, sizeof err) != EDGETAM_OK)
        return fprintf(stderr, "%s\n", err), 1;
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *tracker = NULL;
    if (edgetam_tracker_create(model, &tp, &tracker) != EDGETAM_OK) return 1;
    edgetam_frame frame = edgetam_frame_default(); /* describes your pixels; they are only borrowed */
    frame.format = EDGETAM_FORMAT_GRAY8;
    frame.width = 320;
    frame.height = 240;
    frame.planes.data[0] = &gray[0][0];
    frame.planes.stride[0] = 320;
    edgetam_tracker_track(tracker, &frame, NULL, 0, NULL); /* the frame the click is on */
    const edgetam_point click = {160, 120, 1};
    edgetam_prompt prompt = edgetam_prompt_default();
    prompt.points = &click;
    prompt.num_points = 1;
    edgetam_tracker_add_prompt(tracker, 1, &prompt, NULL); /* object 1 */
    edgetam_object_result r = {.struct_size = sizeof r, .mask = &mask[0][0], .mask_stride = 320};
    for (int k = 1; k <= 3; k++) /* your next frames */
        if (edgetam_tracker_track(tracker, &frame, &r, 1, NULL) == EDGETAM_OK)
            printf("frame %d: object %d, %lld pixels, box %d,%d-%d,%d\n", k, r.object_id,
                   (long long)r.area, r.box.x0, r.box.y0, r.box.x1, r.box.y1);
    edgetam_tracker_destroy(tracker);
    edgetam_model_free(model);
    return 0;
}
