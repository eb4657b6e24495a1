import { serviceProject } from '../../../test/service-project.ts';

export default serviceProject({ dir: import.meta.dirname });
