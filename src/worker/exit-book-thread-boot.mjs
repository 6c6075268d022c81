// The exit book's thread starts here (./exit-book-thread.ts): it runs the TypeScript source as the
// process does, with tsx registered in the thread, since `--import tsx` is not passed on to threads.
import { register } from 'tsx/esm/api';

register();
await import('./exit-book-thread-entry.ts');
