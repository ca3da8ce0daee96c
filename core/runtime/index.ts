export { initBackend, describeBackend, activeBackend } from './backend.ts';
