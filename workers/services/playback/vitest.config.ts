import { serviceProject } from '../../../test/service-project.ts';

export default serviceProject({
  dir: import.meta.dirname,
  bindings: {
    // Version 2 current, version 1 still readable: the rotation test starts under version 1.
    CONTENT_KEY_MASTER: '2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,1:dGVzdC1tYXN0ZXIta2V5IQ==',
  },
});
