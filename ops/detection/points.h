// Plane points of the detection geometry. Coordinates are in pixels of the map or image they
// belong to, x to the right and y downwards; an integer point names the pixel whose centre it is.
#pragma once

namespace crnn {

struct Point2i {
  int x, y;
};

struct Point2f {
  float x, y;
};

inline bool operator==(Point2i a, Point2i b) { return a.x == b.x && a.y == b.y; }
inline bool operator!=(Point2i a, Point2i b) { return !(a == b); }

}  // namespace crnn
