import { IDeploymentDetail } from '../api';
import { exampleInstances } from '../components';

function withInput(shape: Array<number | null>, inputs = 1): IDeploymentDetail {
  const spec = { name: 'x', dtype: 'float32', shape };
  return { signature: { inputs: Array.from({ length: inputs }, () => spec) } } as unknown as IDeploymentDetail;
}

describe('exampleInstances', () => {
  it('fills the test box with a batch of one, zeros in the signature shape', () => {
    expect(exampleInstances(withInput([null, 4]))).toBe('[[0,0,0,0]]');
    expect(exampleInstances(withInput([null, 2, 2]))).toBe('[[[0,0],[0,0]]]');
  });

  it('leaves it empty where typing an example makes no sense', () => {
    expect(exampleInstances(withInput([null, 75, 75, 3]))).toBe(''); // a SAR chip: 16875 numbers
    expect(exampleInstances(withInput([null, null]))).toBe(''); // a variable axis
    expect(exampleInstances(withInput([null, 4], 2))).toBe(''); // several inputs
    expect(exampleInstances({ signature: {} } as unknown as IDeploymentDetail)).toBe('');
  });
});
