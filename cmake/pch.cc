// The object of the precompiled-header targets (cmake/Precompiled.cmake); intentionally empty.
