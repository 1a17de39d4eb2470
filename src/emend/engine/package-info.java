/**
 * DJL and libtorch plumbing: the engine, native threads, devices and the model thread each device slot runs on.
 */
package emend.engine;
